//! The WASM entry point: hydrates the islands of the HTML the server already rendered.
//!
//! The app runs in Leptos' islands mode (`app::components::IslandScripts`): this bundle holds
//! only the `#[island]` components and what they use, and only pages with an island load it.

// The islands' hydration functions are exported from `app`: it must be linked in whole.
use app as _;

/// Called by Leptos' islands loader once the bundle is compiled, before it hydrates each
/// `<leptos-island>` of the page in turn.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // Says the page is now interactive: end-to-end tests wait for it before typing, and a support
    // engineer can see it in the inspector. The loader hydrates the islands right after this
    // returns, in the same task, so nothing typed can come between.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
