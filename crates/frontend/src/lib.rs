//! The WASM entry point: attaches the app's behaviour to the HTML the server already rendered.

/// Called by the script the server puts in every page.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Says the page is now interactive: end-to-end tests wait for it before typing, and a support
    // engineer can see it in the inspector.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
