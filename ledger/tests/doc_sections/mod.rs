//! Reading a spec page's marked sections, for the tests that check the
//! page's worked examples against the code.

/// The text of `doc` between `<!-- NAME:begin -->` and `<!-- NAME:end -->`.
pub fn between(doc: &'static str, name: &str) -> &'static str {
    let begin = format!("<!-- {name}:begin -->");
    let end = format!("<!-- {name}:end -->");
    let start = doc.find(&begin).unwrap_or_else(|| panic!("{begin}")) + begin.len();
    let stop = doc[start..].find(&end).unwrap_or_else(|| panic!("{end}"));
    &doc[start..start + stop]
}

/// The body of the one fenced code block in `text`.
pub fn fenced(text: &str) -> &str {
    let body = &text[text.find("```").expect("a code block")..];
    let body = &body[body.find('\n').expect("a fence line") + 1..];
    &body[..body.find("```").expect("a closing fence")]
}
