// The side column (Settings, Event inspector). Wide screens show it beside the chat; narrow
// ones (≤ 860 px) make it a sheet over the chat, opened from the top bar's Settings / Events
// buttons and closed with "Back to chat", a tap on the scrim, or Escape. The chat keeps the
// whole height of the screen, so its last answer and the composer are always in view.

const NARROW = '(max-width: 860px)';

export class SidePanel {
  /**
   * @param {{side: HTMLElement, scrim: HTMLElement, close: HTMLElement,
   *   toggles: Record<string, {button: HTMLElement, panel: HTMLDetailsElement}>}} els
   */
  constructor({ side, scrim, close, toggles }) {
    Object.assign(this, { side, scrim, closeButton: close, toggles });
    this.media = matchMedia(NARROW);
    this.opener = null;
    for (const [name, { button }] of Object.entries(toggles)) {
      button.addEventListener('click', () => (this.isOpen && this.current === name ? this.close() : this.open(name)));
    }
    close.addEventListener('click', () => this.close());
    scrim.addEventListener('click', () => this.close());
    // Back to a wide screen: the column is beside the chat again, nothing to close.
    this.media.addEventListener('change', () => { if (!this.media.matches) this.close({ refocus: false }); });
    this.#set(false);
  }

  get narrow() {
    return this.media.matches;
  }

  get isOpen() {
    return document.body.dataset.side === 'open';
  }

  /**
   * Show one panel ('settings' | 'events'): open its <details> and bring it into view; on a
   * narrow screen, open the sheet first. `focus`: an element to focus instead of the panel.
   */
  open(name, { focus } = {}) {
    const t = this.toggles[name];
    if (!t) return;
    t.panel.open = true;
    if (this.narrow) {
      if (!this.isOpen) this.opener = document.activeElement;
      this.current = name;
      this.#set(true);
    }
    // The sheet scrolls on its own: the panel's top, or the field, at the top of the sheet.
    (focus ?? t.panel).scrollIntoView({ block: 'start' });
    (focus ?? t.panel.querySelector('summary')).focus({ preventScroll: true });
  }

  close({ refocus = true } = {}) {
    if (!this.isOpen) return;
    this.#set(false);
    const back = this.opener;
    this.opener = null;
    if (refocus && back && document.contains(back) && back !== document.body) back.focus();
  }

  #set(open) {
    document.body.dataset.side = open ? 'open' : 'closed';
    this.scrim.hidden = !open;
    for (const [name, { button }] of Object.entries(this.toggles)) {
      button.setAttribute('aria-expanded', String(open && this.current === name));
    }
  }
}
