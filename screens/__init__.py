"""The Textual user interface: screens, modal dialogs, widgets and styles.

Screens receive the services they need through their constructor and call their
operations; they never touch the store's tables. User text is never parsed as
markup: cells get ``rich.text.Text``, labels ``markup=False`` or ``Content``.
"""

from screens import dutch as _dutch

_dutch.install()  # Textual's own texts in Dutch for every app and screen of the package
