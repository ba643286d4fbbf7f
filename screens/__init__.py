"""The Textual user interface: screens, modal dialogs, widgets and styles.

Screens receive the services they need through their constructor and call their
operations; they never touch the store's tables. User text is never parsed as
markup: cells get ``rich.text.Text``, labels ``markup=False`` or ``Content``.
"""
