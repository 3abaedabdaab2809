//! The few browser facilities the app needs, each in one small function:
//! the page clock, `localStorage` for the kept seat, the page's address,
//! the clipboard, and a `GET` from the page's own server. Nothing here decides anything; failures (no storage
//! in a private window, no clipboard on plain http) degrade quietly.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wordguess_protocol::RoomCode;

use crate::state::records::ApiAnswer;
use crate::state::{invite_in_query, SavedSeat};

/// The page clock in milliseconds (monotonic, from page load).
pub fn now_ms() -> u64 {
    let now = web_sys::window()
        .and_then(|window| window.performance())
        .map_or(0.0, |performance| performance.now());
    // A non-negative float of milliseconds since page load fits a u64.
    now.max(0.0) as u64
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The seat kept by an earlier visit, if any.
pub fn load_seat() -> Option<SavedSeat> {
    let text = storage()?.get_item(SavedSeat::STORAGE_KEY).ok()??;
    SavedSeat::decode(&text)
}

/// Keeps `seat` for the next visit, or forgets the kept one.
pub fn store_seat(seat: Option<&SavedSeat>) {
    let Some(storage) = storage() else {
        return;
    };
    let _ = match seat {
        Some(seat) => storage.set_item(SavedSeat::STORAGE_KEY, &seat.encode()),
        None => storage.remove_item(SavedSeat::STORAGE_KEY),
    };
}

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|window| window.location())
}

/// The room this page's address invites to (`?room=CODE`).
pub fn invite_in_url() -> Option<RoomCode> {
    invite_in_query(&location()?.search().ok()?)
}

/// The page's host name (for `nc HOST PORT`).
pub fn hostname() -> String {
    location()
        .and_then(|location| location.hostname().ok())
        .unwrap_or_default()
}

/// The page's address without query: origin and path.
pub fn origin_and_path() -> (String, String) {
    let location = location();
    let origin = location
        .as_ref()
        .and_then(|location| location.origin().ok())
        .unwrap_or_default();
    let path = location
        .and_then(|location| location.pathname().ok())
        .unwrap_or_default();
    (origin, path)
}

/// The WebSocket address: the page's own host, path `/ws`.
pub fn socket_url() -> String {
    let location = location();
    let secure = location
        .as_ref()
        .and_then(|l| l.protocol().ok())
        .is_some_and(|p| p == "https:");
    let host = location
        .and_then(|l| l.host().ok())
        .unwrap_or_else(|| "localhost:8080".to_owned());
    format!("{}://{host}/ws", if secure { "wss" } else { "ws" })
}

/// Copies `text`; returns whether it worked. The asynchronous clipboard
/// exists only in secure contexts (https, localhost), so on plain http the
/// text in `field` is selected and copied the old way.
pub async fn copy(text: &str, field: Option<web_sys::HtmlInputElement>) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let navigator = window.navigator();
    let has_clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into())
        .is_ok_and(|clipboard| !clipboard.is_undefined() && !clipboard.is_null());
    if has_clipboard
        && JsFuture::from(navigator.clipboard().write_text(text))
            .await
            .is_ok()
    {
        return true;
    }
    let Some(field) = field else {
        return false;
    };
    field.select();
    window
        .document()
        .and_then(|document| document.dyn_into::<web_sys::HtmlDocument>().ok())
        .and_then(|document| document.exec_command("copy").ok())
        .unwrap_or(false)
}

/// `GET path` from the page's own server: its status and body, or why it
/// could not be asked (no network, server down).
pub async fn fetch(path: &str) -> Result<ApiAnswer, String> {
    let unreachable = |_| "the server cannot be reached".to_owned();
    let window = web_sys::window().ok_or_else(|| "no browser window".to_owned())?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(path))
        .await
        .map_err(unreachable)?
        .dyn_into()
        .map_err(unreachable)?;
    let body = JsFuture::from(response.text().map_err(unreachable)?)
        .await
        .map_err(unreachable)?
        .as_string()
        .unwrap_or_default();
    Ok(ApiAnswer {
        status: response.status(),
        body,
    })
}
