//! The WASM, JS and CSS bundle under `/pkg`.

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
