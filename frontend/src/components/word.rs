//! The word as letter tiles.

use wordguess_protocol::event::tiles;
use yew::prelude::*;

/// Properties of [`WordTiles`].
#[derive(Properties, PartialEq)]
pub struct WordTilesProps {
    /// The masked word (`*` for hidden letters).
    pub masked: AttrValue,
}

/// One tile per letter; hidden letters are blank.
#[function_component]
pub fn WordTiles(props: &WordTilesProps) -> Html {
    let tiles = tiles(&props.masked);
    let hidden = tiles.iter().filter(|t| t.is_none()).count();
    let label = format!("The word: {} letters, {hidden} hidden", tiles.len());
    html! {
        <div id="word" class="tiles" role="group" aria-label={label}>
            { for tiles.into_iter().map(|tile| match tile {
                Some(letter) => html! { <span class="tile shown">{ letter }</span> },
                None => html! { <span class="tile hidden">{ "\u{00a0}" }</span> },
            }) }
        </div>
    }
}
