//! What the page tells the player above every screen: the connection's
//! banner (with "Try now" and "Leave" while the page tries to come back)
//! and the dismissable error and information toasts.

use yew::prelude::*;

use super::on_click;

/// Properties of [`Banner`].
#[derive(Properties, PartialEq)]
pub struct BannerProps {
    /// The message, if any (nothing is shown without one).
    pub text: Option<String>,
    /// Whether it is news rather than trouble (a status, not an alert).
    pub calm: bool,
    /// Whether the page tries to come back after a lost connection.
    pub retrying: bool,
    /// Reconnect now.
    pub on_retry: Callback<()>,
    /// Give up the room.
    pub on_leave: Callback<()>,
}

/// The connection's trouble, and while the page tries to come back, what
/// it is doing and a way out.
#[function_component]
pub fn Banner(props: &BannerProps) -> Html {
    let Some(text) = props.text.clone() else {
        return html! {};
    };
    let calm = props.calm;
    html! {
        <div class={classes!("banner-row", calm.then_some("calm"))}>
            <div id="banner" class="banner" role={if calm { "status" } else { "alert" }}>{ text }</div>
            if props.retrying {
                <div class="reconnecting" aria-live="polite">
                    <span id="reconnecting">{ "Reconnecting…" }</span>
                    <button id="reconnect-now" type="button" class="secondary"
                        onclick={on_click(&props.on_retry)}>{ "Try now" }</button>
                    <button id="leave" type="button" class="secondary"
                        onclick={on_click(&props.on_leave)}>{ "Leave" }</button>
                </div>
            }
        </div>
    }
}

/// Which message a [`Toast`] carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    /// The last error the server (or the page) reported for this player.
    Error,
    /// A calm message for this player (e.g. back in the seat after a
    /// refresh).
    Info,
}

/// Properties of [`Toast`].
#[derive(Properties, PartialEq)]
pub struct ToastProps {
    /// Which message it is.
    pub kind: ToastKind,
    /// The message, if any (nothing is shown without one).
    pub message: Option<String>,
    /// The player dismissed it.
    pub on_dismiss: Callback<()>,
}

/// A message for this player, with a button to dismiss it.
#[function_component]
pub fn Toast(props: &ToastProps) -> Html {
    let Some(message) = props.message.clone() else {
        return html! {};
    };
    let (id, class, role) = match props.kind {
        ToastKind::Error => ("error", classes!("toast"), "alert"),
        ToastKind::Info => ("info", classes!("toast", "info"), "status"),
    };
    html! {
        <div {id} {class} {role}>
            <span>{ message }</span>
            <button class="link" onclick={on_click(&props.on_dismiss)} aria-label="Dismiss">{ "✕" }</button>
        </div>
    }
}
