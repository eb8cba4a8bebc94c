//! The HTML document around the app, rendered on the server only.

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags};

use crate::App;

/// The whole document: `<head>` with the hashed stylesheet, then the app. No hydration scripts
/// here: a page that has islands asks for them itself (`components::IslandScripts`), and every
/// other page loads no JavaScript and no WASM at all.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // Islands mode renders the page as plain HTML, switching hydration on inside each island
    // only. `<HydrationScripts islands=true>` would switch it off here; it is not in every page.
    if let Some(shared) = leptos::reactive::owner::Owner::current_shared_context() {
        hydration_context::SharedContext::set_is_hydrating(&*shared, false);
    }
    // For `components::IslandScripts`, which names the hashed bundle.
    provide_context(options.clone());
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#005eb8" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HashedStylesheet options id="leptos" />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}
