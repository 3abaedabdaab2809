//! The room's chat: the lines said so far (players' and spectators') and a
//! field that sends `/say`.

use wordguess_protocol::MAX_CHAT_CHARS;
use yew::prelude::*;

use crate::hooks::GameHandle;
use crate::state::{chat_command, Action};

/// The chat panel.
#[function_component]
pub fn Chat() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    let input = use_node_ref();
    let log = use_node_ref();
    let lines = game.state.chat.clone();
    {
        // Keep the newest line in view.
        let log = log.clone();
        use_effect_with(lines.len(), move |_| {
            if let Some(log) = log.cast::<web_sys::Element>() {
                log.set_scroll_top(log.scroll_height());
            }
        });
    }
    let onsubmit = {
        let game = game.clone();
        super::on_field_submit(&input, move |field| match chat_command(&field.value()) {
            Ok(Some(command)) => {
                field.set_value("");
                game.send.emit(command);
            }
            Ok(None) => {}
            Err(message) => game.state.dispatch(Action::LocalError(message)),
        })
    };
    html! {
        <section id="chat" class="card chat">
            <h3>{ "Chat" }</h3>
            if lines.is_empty() {
                <p class="muted small">{ "No messages yet." }</p>
            }
            <ol id="chat-log" ref={log} class="chat-log" aria-live="polite">
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
