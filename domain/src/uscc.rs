//! 统一社会信用代码 (GB 32100-2015): 18 characters, the last a check character.
use crate::i18n::Msg;

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// The check character the first 17 characters call for, or None if one is not allowed.
pub fn check_char(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    let mut weight = 1u32; // 3^(i-1) mod 31
    for &c in b {
        sum += value(c)? * weight;
        weight = weight * 3 % 31;
    }
    let check = (31 - sum % 31) % 31;
    Some(ALPHABET[check as usize] as char)
}

/// Why a code was refused; `Checksum` alone may be overridden by an officer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsccProblem {
    Length,
    Character,
    Checksum,
}

impl UsccProblem {
    pub fn msg(self) -> Msg {
        match self {
            UsccProblem::Length => Msg::new("uscc.length"),
            UsccProblem::Character => Msg::new("uscc.character"),
            UsccProblem::Checksum => Msg::new("uscc.checksum"),
        }
    }
}

/// Upper-cases and trims, then checks form and check character.
pub fn normalize(input: &str) -> Result<String, (String, UsccProblem)> {
    let code: String = input.trim().to_ascii_uppercase();
    if code.chars().count() != 18 {
        return Err((code, UsccProblem::Length));
    }
    if !code.bytes().all(|c| value(c).is_some()) {
        return Err((code, UsccProblem::Character));
    }
    if check_char(&code[..17]) != code[17..].chars().next() {
        return Err((code, UsccProblem::Checksum));
    }
    Ok(code)
}

/// A valid code for a civil-affairs registration (for the demo and benchmark data).
pub fn make(type_digit: char, area: &str, org_code9: &str) -> String {
    let first17 = format!("5{type_digit}{area}{org_code9}");
    let check = check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_known_good_code() {
        // 91350100M000100Y43 is a widely published valid example.
        assert_eq!(normalize("91350100m000100y43").as_deref(), Ok("91350100M000100Y43"));
    }

    #[test]
    fn refuses_with_reason() {
        assert_eq!(normalize("91350100M000100Y44").map_err(|e| e.1), Err(UsccProblem::Checksum));
        assert_eq!(normalize("91350100M000100Y4").map_err(|e| e.1), Err(UsccProblem::Length));
        assert_eq!(normalize("91350100M00010OY43").map_err(|e| e.1), Err(UsccProblem::Character));
    }

    #[test]
    fn made_codes_pass() {
        let c = make('1', "460200", "MJ0000017");
        assert!(normalize(&c).is_ok(), "{c}");
    }
}
