//! Dates as a reader of the site's language writes them, from the translation file's
//! `dates.format` and month names: a table per language, no locale library. Machine
//! dates (`<time datetime>`, feeds, sitemap) stay ISO 8601 and never come through here.

/// `iso` (`2026-12-06`, as `updated:` is written) in `format`: `{year}`, `{month}` (its
/// name), `{mm}`, `{day}`, `{dd}`. Anything that is not such a date is returned as is.
pub fn format(iso: &str, format: &str, months: &[String]) -> String {
    let mut parts = iso.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return iso.to_string();
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return iso.to_string();
    }
    let (Ok(month), Ok(day)) = (m.parse::<usize>(), d.parse::<u32>()) else {
        return iso.to_string();
    };
    let Some(name) = month.checked_sub(1).and_then(|i| months.get(i)) else {
        return iso.to_string();
    };
    // One pass, so a month name that contains `{day}` is not replaced again.
    let mut out = String::with_capacity(format.len() + 16);
    let mut rest = format;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let (piece, len) = match after.find('}').map(|c| &after[..=c]) {
            Some("{year}") => (y.to_string(), 6),
            Some("{month}") => (name.clone(), 7),
            Some("{mm}") => (m.to_string(), 4),
            Some("{day}") => (day.to_string(), 5),
            Some("{dd}") => (d.to_string(), 4),
            _ => ("{".to_string(), 1),
        };
        out.push_str(&piece);
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn months(names: &str) -> Vec<String> {
        names.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn each_language_its_way() {
        let en = months(
            "January February March April May June July August September October November December",
        );
        let de = months(
            "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
        );
        let es = months(
            "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
        );
        assert_eq!(format("2026-12-06", "{year}-{mm}-{dd}", &en), "2026-12-06");
        assert_eq!(
            format("2026-12-06", "{month} {day}, {year}", &en),
            "December 6, 2026"
        );
        assert_eq!(
            format("2026-03-06", "{day}. {month} {year}", &de),
            "6. März 2026"
        );
        assert_eq!(
            format("2026-12-06", "{day} de {month} de {year}", &es),
            "6 de diciembre de 2026"
        );
        assert_eq!(format("2026-01-31", "{dd}.{mm}.{year}", &de), "31.01.2026");
    }

    #[test]
    fn odd_input_is_left_alone() {
        let en = months("a b c d e f g h i j k l");
        for odd in [
            "",
            "2026",
            "2026-13-01",
            "2026-00-01",
            "26-1-1",
            "2026-12-0x",
            "２０２６-12-06",
        ] {
            assert_eq!(format(odd, "{day} {month}", &en), odd);
        }
        assert_eq!(
            format("2026-02-03", "{unknown} {day} {", &en),
            "{unknown} 3 {"
        );
        assert_eq!(format("2026-02-03", "{day}", &months("x")), "2026-02-03");
    }
}
