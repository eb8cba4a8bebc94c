//! The HTML document around the app, rendered on the server only.

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags};

use crate::App;

/// The whole document: `<head>` with the hashed stylesheet and hydration scripts, then the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#005eb8" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}
