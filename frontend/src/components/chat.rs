//! The room's chat: the lines said so far (players' and spectators') and a
//! field that sends `/say`.

use wordguess_protocol::{ClientCommand, MAX_CHAT_CHARS};
use yew::prelude::*;

use super::on_command_submit;
use crate::state::{chat_command, ChatLine};

/// Properties of [`Chat`].
#[derive(Properties, PartialEq)]
pub struct ChatProps {
    /// The chat, oldest first.
    pub lines: Vec<ChatLine>,
    /// Send a `/say` checked on the page, or show why it is refused.
    pub on_command: Callback<Result<ClientCommand, String>>,
}

/// The chat panel.
#[function_component]
pub fn Chat(props: &ChatProps) -> Html {
    let input = use_node_ref();
    let log = use_node_ref();
    let lines = &props.lines;
    {
        // Keep the newest line in view.
        let log = log.clone();
        use_effect_with(lines.len(), move |_| {
            if let Some(log) = log.cast::<web_sys::Element>() {
                log.set_scroll_top(log.scroll_height());
            }
        });
    }
    // An empty line sends nothing; a line sent leaves the field.
    let onsubmit = on_command_submit(
        &input,
        |text| chat_command(text).transpose(),
        true,
        &props.on_command,
    );
    html! {
        <section id="chat" class="card chat">
            <h3>{ "Chat" }</h3>
            if lines.is_empty() {
                <p class="muted small">{ "No messages yet." }</p>
            }
            // Focusable, so a keyboard can scroll it.
            <ol id="chat-log" ref={log} class="chat-log" aria-live="polite" aria-label="Chat messages" tabindex="0">
                { for lines.iter().map(|line| html! {
                    <li><span class="who">{ &line.name }</span>{ ": " }<span class="said">{ &line.text }</span></li>
                }) }
            </ol>
            <form class="row" {onsubmit}>
                <label for="chat-input" class="sr-only">{ "Message" }</label>
                <input id="chat-input" ref={input} type="text" placeholder="Say something"
                    maxlength={MAX_CHAT_CHARS.to_string()} autocomplete="off" />
                <button id="chat-send" type="submit" class="secondary">{ "Send" }</button>
            </form>
        </section>
    }
}
