//! Entry point of the browser app: mounts [`wordguess_frontend::App`].

fn main() {
    yew::Renderer::<wordguess_frontend::App>::new().render();
}
