//! Who is in the room, as the waiting room and the game screen both show
//! it: the player rows (name, you, host, away, points, whose turn) and who
//! is watching, with a button to ask the server for their names.

use yew::prelude::*;

use super::on_click;
use crate::state::PlayerRow;

/// Properties of [`PlayerRows`].
#[derive(Properties, PartialEq)]
pub struct PlayerRowsProps {
    /// The players in ring order.
    pub rows: Vec<PlayerRow>,
    /// For the host of a private room: removes the player of this name
    /// (a button beside every other player); in a quick match, votes it
    /// out (beside every other person).
    #[prop_or_default]
    pub on_remove: Option<Callback<String>>,
    /// Whether `on_remove` is a vote (quick match).
    #[prop_or_default]
    pub vote: bool,
}

/// The players as list items (the list around them is the screen's).
#[function_component]
pub fn PlayerRows(props: &PlayerRowsProps) -> Html {
    // Nobody removes itself, and a computer player is not voted out.
    let removable = |row: &PlayerRow| !(row.me || props.vote && row.computer);
    html! {
        { for props.rows.iter().map(|p| html! {
            <li class={classes!("player", p.current.then_some("current"), p.me.then_some("me"), p.away.then_some("away"))}
                data-name={p.name.clone()} aria-current={p.current.then_some("true")}>
                <span class="name">{ &p.name }{ if p.me { " (you)" } else { "" } }</span>
                <span class="tags">
                    if p.host { <span class="tag host">{ "host" }</span> }
                    if p.computer { <span class="tag computer">{ "computer" }</span> }
                    if p.away { <span class="tag away">{ "away" }</span> }
                    <span class="points">{ p.points }</span>
                    if let Some(on_remove) = props.on_remove.as_ref().filter(|_| removable(p)) {
                        <button type="button" class="link small remove"
                            aria-label={if props.vote {
                                format!("Vote out {} of the game", p.name)
                            } else {
                                format!("Remove {} from the room", p.name)
                            }}
                            onclick={on_remove.reform({
                                let name = p.name.clone();
                                move |_: MouseEvent| name.clone()
                            })}>
                            { if props.vote { "Vote out" } else { "Remove" } }
                        </button>
                    }
                </span>
            </li>
        }) }
    }
}

/// Properties of [`Watching`].
#[derive(Properties, Clone, PartialEq)]
pub struct WatchingProps {
    /// How many watch, and their names once known.
    pub text: AttrValue,
    /// Ask the server who is here.
    pub on_who: Callback<()>,
}

/// How many watch, their names once `/who` told them, and a button to ask.
#[function_component]
pub fn Watching(props: &WatchingProps) -> Html {
    html! {
        <p class="watching muted">
            <span id="spectators">{ props.text.clone() }</span>
            <button id="who" type="button" class="link small" onclick={on_click(&props.on_who)}>{ "Who's here?" }</button>
        </p>
    }
}
