//! The WASM, JS and CSS bundle under `/pkg`.
//!
//! The site build (`xtask/src/site.rs`) writes hashed names (`health.<hash>.wasm`) and a
//! `hash.txt` beside the server binary of its profile; the server uses hashed names only when
//! that file is beside its own executable. A build wipes its site root's `pkg/`, so debug builds (the tests) use `target/site`
//! and release builds (`cargo xtask run`) `target/site-release`, and each binary serves its own.

use std::path::Path;

use axum::http::{HeaderValue, header::CACHE_CONTROL};
use tower_http::{services::ServeDir, set_header::SetResponseHeader};

/// Serves `site_root/pkg`. Hashed file names change with their content, so browsers may keep
/// them for a year; unhashed names (a build without hashing) must be revalidated every time.
/// Release builds are precompressed (`name.wasm.br`, `.gz`) at the highest levels once, at build
/// time, instead of on every request.
pub fn pkg_service(site_root: &Path, hashed: bool) -> SetResponseHeader<ServeDir, HeaderValue> {
    let cache = if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    SetResponseHeader::overriding(
        ServeDir::new(site_root.join("pkg"))
            .precompressed_br()
            .precompressed_gzip(),
        CACHE_CONTROL,
        HeaderValue::from_static(cache),
    )
}
