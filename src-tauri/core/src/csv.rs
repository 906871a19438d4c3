//! CSV cells as RFC 4180 writes them, with text a spreadsheet would run as
//! a formula (`=`, `+`, `-`, `@` first) defused by a leading `'`: the text
//! comes from the database.

/// A text cell.
pub fn text(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    quoted(value)
}

/// A number as it stands (a minus sign is not a formula).
pub fn number(value: &str) -> String {
    quoted(value.to_string())
}

fn quoted(value: String) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(text("plain"), "plain");
        assert_eq!(text("a,b"), "\"a,b\"");
        assert_eq!(text("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(text("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text("-2+3"), "'-2+3");
        assert_eq!(number("-2.5"), "-2.5");
        assert_eq!(text("line\nbreak"), "\"line\nbreak\"");
    }
}
