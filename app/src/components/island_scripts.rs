//! The scripts that load the WASM and hydrate a page's islands, for the pages that have any.
//!
//! The app runs in Leptos' islands mode: every page is server-rendered HTML and works without
//! JavaScript, and only components marked `#[island]` are made interactive in the browser (the
//! NHS number checked as it is typed, the clinic list that follows changes). A page that shows an
//! island renders this beside it; every other page loads no script and no WASM at all, which is
//! most of the patient's journeys.

use leptos::prelude::*;

/// Leptos' islands loader: preloads the hashed JS and WASM, then hydrates each island on the
/// page once the browser is idle. Rendered in `<body>` (`link rel=modulepreload` and `preload`
/// may be), since only the page's body knows whether it has islands.
#[component]
pub fn IslandScripts() -> impl IntoView {
    use_context::<LeptosOptions>()
        .map(|options| view! { <HydrationScripts options islands=true /> })
}
