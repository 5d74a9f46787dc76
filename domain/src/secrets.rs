//! Random tokens and password hashes.
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 32 random bytes as hex: session ids, email tokens, API tokens.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// 16 random bytes as hex: what pages show for a row instead of its id.
pub fn random_ref() -> String {
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// A 32-byte key kept outside the database: from the variable `env` (64 hex characters)
/// when set, else from `data_dir/file`, which is made (mode 0600) on first start.
pub fn key_32(data_dir: &std::path::Path, env: &str, file: &str, what: &str) -> Result<[u8; 32], String> {
    let path = data_dir.join(file);
    let hex_key = match std::env::var(env).ok().filter(|k| !k.trim().is_empty()) {
        Some(k) => k.trim().to_string(),
        None => match std::fs::read_to_string(&path) {
            Ok(k) => k.trim().to_string(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut key);
                std::fs::create_dir_all(data_dir).map_err(|e| format!("data folder {}: {e}", data_dir.display()))?;
                write_secret(&path, &hex::encode(key))?;
                hex::encode(key)
            }
            Err(e) => return Err(format!("{}: {e}", path.display())),
        },
    };
    hex::decode(&hex_key)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or(format!("the {what} key must be 64 hex characters ({env} or {file})"))
}

fn write_secret(path: &std::path::Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(text.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))
}

/// Tokens are stored only as their SHA-256.
pub fn token_hash(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

/// Argon2id with the crate's defaults (19 MiB, 2 passes).
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok()).unwrap_or(false)
}

/// A readable generated password for accounts made by an admin or the demo.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| ALPHABET[*x as usize % ALPHABET.len()] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip() {
        let h = hash_password("correct horse").unwrap_or_default();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("x", "not a hash"));
    }
}
