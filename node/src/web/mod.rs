//! The web console, served at `/`: verify evidence files, follow cases and
//! their statutory clocks, look up recognised inspection results.
//!
//! Every asset (`node/web/`) is compiled into the binary, so the console
//! needs no network beyond this node: no CDN, no fonts, no analytics. Files
//! are hashed in the browser with BLAKE3 (`@noble/hashes`, vendored under
//! `node/web/vendor/noble-hashes/`, see its README) and never uploaded; the
//! console reads through the same `/v1` API, with a session token from
//! `xianjie login` ([`crate::api::sessions`]), so every read passes the same
//! officer checks and on-chain policies as a signed read.
//!
//! The pages forbid inline script and any origin but this node
//! ([`CONTENT_SECURITY_POLICY`]), so text from the ledger cannot run as code.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::api::AppState;

/// The version of the vendored BLAKE3 implementation (`@noble/hashes`).
pub const NOBLE_HASHES_VERSION: &str = "2.4.0";

/// Scripts, styles, workers and API calls from this node only; no inline
/// script, no framing, no form posts elsewhere.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; script-src 'self'; worker-src 'self'; \
     style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// One embedded file and the path it is served at.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    /// The URL path, e.g. `/web/app.js`.
    pub path: &'static str,
    /// Its media type.
    pub content_type: &'static str,
    /// The bytes, compiled in.
    pub body: &'static [u8],
}

const HTML: &str = "text/html; charset=utf-8";
const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";
const TEXT: &str = "text/plain; charset=utf-8";

macro_rules! asset {
    ($path:literal, $file:literal, $content_type:expr) => {
        Asset {
            path: $path,
            content_type: $content_type,
            body: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/web/", $file)),
        }
    };
}

/// Every file of the console.
pub const ASSETS: &[Asset] = &[
    asset!("/", "index.html", HTML),
    asset!("/web/app.js", "app.js", JAVASCRIPT),
    asset!("/web/api.js", "api.js", JAVASCRIPT),
    asset!("/web/i18n.js", "i18n.js", JAVASCRIPT),
    asset!("/web/hash-worker.js", "hash-worker.js", JAVASCRIPT),
    asset!("/web/draw.js", "draw.js", JAVASCRIPT),
    asset!("/web/style.css", "style.css", CSS),
    asset!("/web/icon.svg", "icon.svg", SVG),
    asset!(
        "/web/vendor/noble-hashes/blake3.js",
        "vendor/noble-hashes/blake3.js",
        JAVASCRIPT
    ),
    asset!(
        "/web/vendor/noble-hashes/blake2.js",
        "vendor/noble-hashes/blake2.js",
        JAVASCRIPT
    ),
    asset!(
        "/web/vendor/noble-hashes/_blake.js",
        "vendor/noble-hashes/_blake.js",
        JAVASCRIPT
    ),
    asset!(
        "/web/vendor/noble-hashes/_md.js",
        "vendor/noble-hashes/_md.js",
        JAVASCRIPT
    ),
    asset!(
        "/web/vendor/noble-hashes/_u64.js",
        "vendor/noble-hashes/_u64.js",
        JAVASCRIPT
    ),
    asset!(
        "/web/vendor/noble-hashes/utils.js",
        "vendor/noble-hashes/utils.js",
        JAVASCRIPT
    ),
    asset!(
        "/web/vendor/noble-hashes/LICENSE",
        "vendor/noble-hashes/LICENSE",
        TEXT
    ),
];

/// The console's routes, merged into the API router.
pub fn routes() -> Router<AppState> {
    ASSETS.iter().fold(Router::new(), |router, asset| {
        router.route(asset.path, get(move || async move { serve(asset) }))
    })
}

fn serve(asset: &'static Asset) -> Response {
    (
        [
            (header::CONTENT_TYPE, asset.content_type),
            // Assets change with the binary; revalidating is cheap on loopback.
            (header::CACHE_CONTROL, "no-cache"),
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::X_FRAME_OPTIONS, "DENY"),
        ],
        asset.body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(path: &str) -> &'static str {
        let asset = ASSETS
            .iter()
            .find(|asset| asset.path == path)
            .unwrap_or_else(|| panic!("{path} is not embedded"));
        std::str::from_utf8(asset.body).expect("UTF-8")
    }

    /// Every `src`, `href` and module import of the console names an
    /// embedded asset: nothing is loaded from elsewhere.
    #[test]
    fn every_reference_is_embedded() {
        let embedded: Vec<&str> = ASSETS.iter().map(|asset| asset.path).collect();
        let mut checked = 0;
        for asset in ASSETS.iter().filter(|a| a.content_type != TEXT) {
            let source = std::str::from_utf8(asset.body).expect("UTF-8");
            let base = asset.path.rsplit_once('/').map_or("", |(dir, _)| dir);
            for quote in ['"', '\''] {
                for marker in ["src=", "href=", "from ", "new Worker("] {
                    let needle = format!("{marker}{quote}");
                    for (at, _) in source.match_indices(&needle) {
                        let line_start = source[..at].rfind('\n').map_or(0, |i| i + 1);
                        let line = source[line_start..].trim_start();
                        let is_code = marker != "from "
                            || line.starts_with("import")
                            || line.starts_with("export");
                        if !is_code {
                            continue;
                        }
                        let rest = &source[at + needle.len()..];
                        let reference = &rest[..rest.find(quote).expect("closing quote")];
                        if reference.starts_with('#') {
                            continue;
                        }
                        assert!(
                            !reference.contains("//"),
                            "{} loads {reference} from another origin",
                            asset.path
                        );
                        let resolved = match reference.strip_prefix("./") {
                            Some(relative) => format!("{base}/{relative}"),
                            None => reference.to_owned(),
                        };
                        assert!(
                            embedded.contains(&resolved.as_str()),
                            "{} refers to {resolved}, which is not embedded",
                            asset.path
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked >= 10, "only {checked} references found");
    }

    /// Both languages have every key of the dictionary.
    #[test]
    fn both_languages_have_the_same_keys() {
        let source = text("/web/i18n.js");
        let start = source.find("  zh: {").expect("zh dictionary");
        let middle = source.find("  en: {").expect("en dictionary");
        let end = source[middle..].find("\n  },\n").expect("end of en") + middle;
        let keys = |block: &str| -> Vec<String> {
            let mut keys: Vec<String> = block
                .lines()
                .filter_map(|line| line.trim().strip_prefix('"'))
                .filter_map(|line| line.split_once("\":").map(|(key, _)| key.to_owned()))
                .collect();
            keys.sort();
            keys
        };
        let zh = keys(&source[start..middle]);
        let en = keys(&source[middle..end]);
        assert!(zh.len() > 100, "{} keys", zh.len());
        assert_eq!(zh, en);
    }

    #[test]
    fn the_vendored_blake3_is_the_pinned_release() {
        let readme = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/web/vendor/noble-hashes/README.md"
        ));
        assert!(readme.starts_with(&format!("# @noble/hashes {NOBLE_HASHES_VERSION} ")));
        assert!(text("/web/vendor/noble-hashes/blake3.js").contains("export const blake3"));
        assert!(text("/web/vendor/noble-hashes/LICENSE").contains("MIT"));
    }
}
