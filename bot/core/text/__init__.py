"""Pure text engine of the content guard: normalisation, keyword matching, lexicon files.

No NoneBot, no database, no clock, no logging: callers pass text in and get hits back.
(``normalize()`` lives in ``bot.core.text.normalize`` and is not re-exported here, so that the
package attribute ``normalize`` stays the module.)
"""

from bot.core.text.categories import ALLOW_KEY, BY_KEY, CATEGORIES, HOUBB_TAGS, Category, label
from bot.core.text.lexicon import (
    DEFAULT_LEXICON_DIR,
    OPERATOR_LEXICON_DIR,
    Lexicon,
    LineError,
    default_files,
    import_plain,
    import_tagged,
    load_default,
    load_dir,
    parse_plain,
    parse_tagged,
)
from bot.core.text.matcher import Hit, Matcher, MatcherStack, SkippedWord, build_matcher
from bot.core.text.normalize import Normalized, NormalizeOptions, Normalizer, default_normalizer

__all__ = [
    "ALLOW_KEY",
    "BY_KEY",
    "CATEGORIES",
    "DEFAULT_LEXICON_DIR",
    "HOUBB_TAGS",
    "OPERATOR_LEXICON_DIR",
    "Category",
    "Hit",
    "Lexicon",
    "LineError",
    "Matcher",
    "MatcherStack",
    "NormalizeOptions",
    "Normalized",
    "Normalizer",
    "SkippedWord",
    "build_matcher",
    "default_files",
    "default_normalizer",
    "import_plain",
    "import_tagged",
    "label",
    "load_default",
    "load_dir",
    "parse_plain",
    "parse_tagged",
]
