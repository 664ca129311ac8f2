//! Rendering: the views templates see ([`views`], described by [`view`]), the flat list of
//! the site's files ([`pages`]), and Tera itself ([`templates`], with nuri's filters and a
//! time limit per page). Nothing here reads or writes files but the templates' own.

pub mod assets;
pub mod budget;
pub mod filters;
pub mod headers;
pub mod pages;
pub mod picture;
pub mod templates;
pub mod view;
pub mod views;

use crate::error::Diagnostic;
pub use pages::{Content, Job, PageKind, Plan};
pub use templates::Templates;

/// The most one page may grow to: a template that writes without end stops here.
const MAX_PAGE_BYTES: usize = 256 << 20;

/// A writer that refuses to grow past [`MAX_PAGE_BYTES`].
struct Capped(Vec<u8>);

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > MAX_PAGE_BYTES {
            return Err(std::io::Error::other(format!(
                "the page grew past {} MB",
                MAX_PAGE_BYTES >> 20
            )));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Templates {
    /// Renders `template` with `ctx`, under the page's time limit. `what` names the page in
    /// errors ("the article content/…").
    pub fn render(
        &self,
        template: &str,
        ctx: &tera::Context,
        what: impl FnOnce() -> String,
    ) -> Result<Vec<u8>, Diagnostic> {
        let mut out = Capped(Vec::with_capacity(16 * 1024));
        let _clock = self.budget.start();
        match self.tera.render_to(template, ctx, &mut out) {
            Ok(()) => Ok(out.0),
            Err(e) => {
                let mut d = templates::template_error(&e, &self.files, &self.root);
                d.hint = Some(format!("while rendering {}", what()));
                Err(d)
            }
        }
    }
}
