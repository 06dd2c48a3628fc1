//! `xianjie login`: signs an officer in to the node's web console without
//! giving the browser, or the node, the private key.
//!
//! The CLI signs `POST /v1/sessions` with the officer's key exactly like a
//! signed read (`xianjie_ledger::read_auth`: chain id, method, path, time);
//! the node checks the signature, its freshness and that the officer is
//! registered and active, and answers with a random session token valid for
//! 30 minutes. The CLI prints a link `NODE/#session=TOKEN`: the token sits in
//! the URL fragment, which browsers never send to a server, and the console
//! moves it into the tab's sessionStorage and off the address bar. Whoever
//! holds the link reads as this officer until it expires or the officer
//! signs out, so treat it like the key for those 30 minutes.

use std::time::Duration;

use anyhow::{anyhow, Context as _};
use clap::Args;
use serde_json::{json, Value};

use xianjie_api::sessions::NewSession;

use crate::client::NodeClient;
use crate::output::format_time_ms;
use crate::{Context, Exit};

/// The node's sign-in endpoint.
pub const SESSIONS_PATH: &str = "/v1/sessions";

/// Largest answer read: a token and an officer record.
const MAX_ANSWER_BYTES: u64 = 64 * 1024;

/// `xianjie login`
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Also open the link in the default browser (xdg-open, open or start).
    #[arg(long)]
    pub open: bool,
}

/// The web console link that signs the browser in with `token`.
pub fn console_link(node_url: &str, token: &str) -> String {
    format!("{}/#session={token}", node_url.trim_end_matches('/'))
}

/// Signs in and prints the console link (`--json`: `{url, expires_at_ms, officer}`).
pub fn execute(context: &Context, args: LoginArgs) -> anyhow::Result<Exit> {
    let key = context.load_key()?;
    let client = NodeClient::new(&context.node_url).signing_reads_with(Some(key));
    let headers = client.read_headers("POST", SESSIONS_PATH)?;
    // Sent once, never retried nor redirected: the node accepts a signed
    // sign-in once, and one signature makes at most one session.
    let agent = crate::client::agent(Duration::from_secs(5), Duration::from_secs(30));
    let mut request = agent.post(format!("{}{SESSIONS_PATH}", client.base_url()));
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let mut response = request.send_empty().map_err(|error| {
        anyhow!(
            "cannot reach the node at {} ({error}); is it running?",
            client.base_url()
        )
    })?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .with_config()
        .limit(MAX_ANSWER_BYTES)
        .read_to_string()
        .context("reading the node's answer")?;
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    if status != 201 {
        let (code, message) = crate::client::error_detail(&body).map_or_else(
            || ("?".to_owned(), String::new()),
            |error| (error.code.to_string(), error.message),
        );
        let code = code.as_str();
        let advice = crate::client::advice(code).unwrap_or("");
        if matches!(
            code,
            "unknown_signer" | "revoked_signer" | "too_many_sessions"
        ) {
            eprintln!("error: the node refused the sign-in ({code}): {message}{advice}");
            return Ok(Exit::Negative);
        }
        return Err(anyhow!(
            "the node at {} answered {SESSIONS_PATH} with HTTP {status} {code}: {message}{advice}",
            client.base_url()
        ));
    }
    let session: NewSession = serde_json::from_value(body)
        .ok()
        .filter(|session: &NewSession| {
            session.token.len() == 64 && session.token.bytes().all(|b| b.is_ascii_hexdigit())
        })
        .ok_or_else(|| anyhow!("the node's sign-in answer has no valid token"))?;
    let url = console_link(client.base_url(), &session.token);
    let expires_at_ms = session.expires_at_ms;
    let officer = &session.officer;
    if args.open {
        open_in_browser(&url);
    }
    context.output.emit(
        &json!({ "url": url, "expires_at_ms": expires_at_ms, "officer": officer }),
        || {
            format!(
                "signed in as officer {} of {} ({}), until {}\n\
                 open the web console (the link signs the browser in; do not share it):\n{url}",
                officer.id,
                officer.org_name,
                officer.org,
                format_time_ms(expires_at_ms)
            )
        },
    )?;
    Ok(Exit::Success)
}

/// Best effort: the link is printed either way.
fn open_in_browser(url: &str) {
    let opener: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else if cfg!(windows) {
        &["cmd", "/C", "start", ""]
    } else {
        &["xdg-open"]
    };
    let spawned = std::process::Command::new(opener[0])
        .args(&opener[1..])
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if spawned.is_err() {
        eprintln!(
            "could not start {}; open the link below yourself",
            opener[0]
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_goes_in_the_fragment_which_browsers_never_send() {
        let token = "ab".repeat(32);
        let link = console_link("http://127.0.0.1:7070/", &token);
        assert_eq!(link, format!("http://127.0.0.1:7070/#session={token}"));
        let (before_fragment, _) = link.split_once('#').unwrap();
        assert!(!before_fragment.contains(&token));
    }
}
