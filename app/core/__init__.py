"""The ground every feature stands on: the store and its files, errors, languages,
formatting, money, settings, logging, this laptop's identity and the reference offices."""
