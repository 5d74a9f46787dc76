//! Security headers on every response, and the cookie secret.
use crate::config::AppConfig;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Header;
use rocket::{Request, Response};

/// `hsts`: the site is served over HTTPS (secure cookies), so browsers are told to keep to it.
pub struct Headers {
    pub hsts: bool,
}

#[rocket::async_trait]
impl Fairing for Headers {
    fn info(&self) -> Info {
        Info { name: "security headers", kind: Kind::Response }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        if self.hsts {
            res.set_header(Header::new("Strict-Transport-Security", "max-age=31536000; includeSubDomains"));
        }
        // What a signed-in person sees, and every download, stays out of shared and browser
        // caches: a later user of the same computer or proxy must not get it back.
        let signed_in = req.cookies().get(crate::auth::SESSION_COOKIE).is_some()
            || req.headers().get_one("Authorization").is_some();
        let shared_file = req.uri().path().starts_with("/static/");
        if (signed_in && !shared_file) || res.headers().contains("Content-Disposition") {
            res.set_header(Header::new("Cache-Control", "no-store"));
        }
        // No inline script anywhere: the few scripts are files under /static.
        res.set_header(Header::new(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        ));
        res.set_header(Header::new("X-Content-Type-Options", "nosniff"));
        res.set_header(Header::new("X-Frame-Options", "DENY"));
        res.set_header(Header::new("Referrer-Policy", "same-origin"));
        res.set_header(Header::new("Permissions-Policy", "camera=(), microphone=(), geolocation=()"));
    }
}

/// The 256-bit key (64 hex characters) that encrypts private cookies: FUHUA_SECRET_KEY (or ROCKET_SECRET_KEY) when
/// set, else one generated on first start and kept in the data folder.
pub fn secret_key(config: &AppConfig) -> Result<String, String> {
    for var in ["FUHUA_SECRET_KEY", "ROCKET_SECRET_KEY"] {
        if let Ok(k) = std::env::var(var)
            && !k.trim().is_empty()
        {
            return Ok(k);
        }
    }
    let path = config.data_dir.join("secret.key");
    if let Ok(k) = std::fs::read_to_string(&path)
        && k.trim().len() == 64
    {
        return Ok(k.trim().to_string());
    }
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    let key = hex::encode(bytes);
    std::fs::create_dir_all(&config.data_dir).map_err(|e| format!("data folder {}: {e}", config.data_dir.display()))?;
    std::fs::write(&path, &key).map_err(|e| format!("secret key {}: {e}", path.display()))?;
    Ok(key)
}
