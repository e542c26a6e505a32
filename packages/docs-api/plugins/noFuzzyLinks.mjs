// @ts-check
/**
 * TypeDoc plugin: stops markdown-it from turning bare file names in comments into web links.
 *
 * TypeDoc's markdown-it runs with `linkify`, whose "fuzzy" mode links any word that ends in a
 * top-level domain. `.md` is one (Moldova), so a comment that names `README.md` or
 * `docs/rules.md` came out as a link to `http://README.md`. Links written with a scheme
 * (`https://...`) and `{@link}` tags still work; only the guessing stops.
 */
import { Application } from 'typedoc'

/** @param {import('typedoc').Application} app */
export function load(app) {
  // Options are read again at the end of bootstrap, after plugins load: set ours afterwards.
  app.on(Application.EVENT_BOOTSTRAP_END, () => {
    const configured = app.options.getValue('markdownItLoader')
    app.options.setValue('markdownItLoader', (/** @type {any} */ parser) => {
      configured(parser)
      parser.linkify.set({ fuzzyLink: false })
    })
  })
}
