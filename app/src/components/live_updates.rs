//! A region of a page that follows changes on the server by itself (JavaScript only): the clinic
//! list, which every open screen shows as it is now, whoever changed it.
//!
//! The island listens to a server-sent event stream; at each change it fetches the page again
//! and swaps in the region's new HTML, as the server rendered it, and says so to screen readers.
//! The server stays the only renderer of the list: no copy of its markup lives in the WASM, and
//! without JavaScript a refresh shows the same.

use leptos::prelude::*;

/// The status line that says the region was updated, and in the browser the listener that
/// updates it. `region` is the id of the element to keep current; `events` the stream's path.
#[island]
pub fn LiveUpdates(events: String, region: String) -> impl IntoView {
    let (updated, set_updated) = signal(false);
    #[cfg(feature = "hydrate")]
    browser::follow(&events, region, set_updated);
    #[cfg(not(feature = "hydrate"))]
    let _ = (events, region, set_updated);
    view! {
        <p class="live-status" role="status">
            {move || updated.get().then_some("The list has been updated.")}
        </p>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    };

    use leptos::{prelude::*, task::spawn_local};
    use send_wrapper::SendWrapper;
    use wasm_bindgen::{JsCast, JsValue, closure::Closure};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{DomParser, EventSource, Response, SupportedType};

    /// Opens the event stream; each `changed` event refreshes the region. Both the connection
    /// and its listener live as long as the island.
    pub fn follow(events: &str, region: String, set_updated: WriteSignal<bool>) {
        let Ok(source) = EventSource::new(events) else {
            return;
        };
        // Changes can come faster than pages: only the latest fetch may write the region.
        let latest = Arc::new(AtomicU32::new(0));
        let on_change = Closure::<dyn Fn()>::new(move || {
            let fetch = latest.fetch_add(1, Ordering::SeqCst) + 1;
            let (latest, region) = (latest.clone(), region.clone());
            spawn_local(async move {
                if let Ok(html) = region_as_served(&region).await
                    && latest.load(Ordering::SeqCst) == fetch
                    && let Some(shown) = document().get_element_by_id(&region)
                {
                    shown.set_inner_html(&html);
                    set_updated.set(true);
                }
            });
        });
        if source
            .add_event_listener_with_callback("changed", on_change.as_ref().unchecked_ref())
            .is_err()
        {
            source.close();
            return;
        }
        let (source, on_change) = (SendWrapper::new(source), SendWrapper::new(on_change));
        on_cleanup(move || {
            source.close();
            drop(on_change);
        });
    }

    /// The inner HTML of element `region` in this page as the server renders it now.
    async fn region_as_served(region: &str) -> Result<String, JsValue> {
        let href = window().location().href()?;
        let response: Response = JsFuture::from(window().fetch_with_str(&href))
            .await?
            .dyn_into()?;
        if !response.ok() {
            return Err(JsValue::from_str("the page could not be fetched"));
        }
        let text = JsFuture::from(response.text()?).await?;
        let page = DomParser::new()?.parse_from_string(
            &text.as_string().unwrap_or_default(),
            SupportedType::TextHtml,
        )?;
        page.get_element_by_id(region)
            .map(|element| element.inner_html())
            .ok_or_else(|| JsValue::from_str("the page has no such region"))
    }
}
