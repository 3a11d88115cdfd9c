"""The book's mandate file: a default mandate and overrides per household or per account.

::

    default:                 # every household; the propose options, spelt as on the command line
      max-te: 3%
      megacap-target: 40%
    households:              # by household: file name without suffix, folder name, or split key
      chen_family:
        max-te: 4%
        hold: [NVDA]
    accounts:                # by account id, as the export or household file names it
      "Roth IRA ...516":
        megacap-target: 30%

Keys are the options of ``advisor propose`` without the dashes (``max-te``, ``sleeve-mix``,
``tax-rates``, ``hold``, ``harvest``, ...) and the holdings options ``benchmark``, ``megacaps``,
``total-value``, ``unknown`` and ``map``. Layers, each replacing the keys it gives: the
mandate's own defaults < ``default`` < the household file's own ``mandate:`` and ``tax_rates:``
< ``accounts`` (of the household's accounts) < ``households``. Every mistake is an
:class:`~advisor.errors.InputError` naming the file, line, key and value.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor.errors import AdvisorError, InputError
from advisor.holdings.household import _Map, yaml_loader  # the YAML loader that keeps lines
from advisor.units import pairs, parse_money, parse_percent

SECTIONS = ("default", "households", "accounts")
#: Holdings options a mandate file may also set (not fields of the Mandate).
HOLDINGS_KEYS = ("benchmark", "megacaps", "total-value", "unknown", "map")
UNKNOWN_CHOICES = ("error", "cash", "skip")


@dataclass(frozen=True)
class Given:
    """One option as a file gives it: the value, and where (file, line) for error messages."""

    value: Any
    path: str
    line: int | None = None


#: option name (no dashes) -> where it was given
Layer = dict[str, Given]


@dataclass(frozen=True)
class MandateFile:
    """A parsed mandate file (or none: every household gets the mandate's defaults).

    Attributes
    ----------
    path : str
        The file ("" when there is none).
    default : Layer
        The ``default:`` options.
    households, accounts : dict of str to Layer
        The overrides by household key and by account id.
    """

    path: str = ""
    default: Layer = field(default_factory=dict)
    households: dict[str, Layer] = field(default_factory=dict)
    accounts: dict[str, Layer] = field(default_factory=dict)

    def layers(self, household: str, account_ids: Iterable[str]) -> list[Layer]:
        """The mandate-file layers that apply to a household, lowest first (the household
        file's own layer goes between ``default`` and these; see :func:`effective`)."""
        ids = sorted({str(a) for a in account_ids if str(a)})
        out = [merge_accounts([(a, self.accounts[a]) for a in ids if a in self.accounts])]
        out.append(self.households.get(household, {}))
        return out

    def fingerprint(self, household: str, account_ids: Iterable[str]) -> str:
        """A hash of every option of this file that applies to the household (its resume key)."""
        layers = [self.default, *self.layers(household, account_ids)]
        plain = [{k: _plain(g.value) for k, g in sorted(layer.items())} for layer in layers]
        return hashlib.sha256(json.dumps(plain, sort_keys=True).encode()).hexdigest()[:16]

    def unmatched(self, households: Iterable[str], account_ids: Iterable[str]) -> list[str]:
        """Override keys that name no household and no account of the book (likely typos)."""
        seen_h, seen_a = set(households), set(account_ids)
        out = [f"households: {k!r}" for k in self.households if k not in seen_h]
        return out + [f"accounts: {k!r}" for k in self.accounts if k not in seen_a]


def _plain(value: Any) -> Any:
    """A YAML value as JSON-ready text (dates and the like as strings)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def merge_accounts(layers: Sequence[tuple[str, Layer]]) -> Layer:
    """The account overrides of one household's accounts as one layer; two accounts that set
    one option to different values are a conflict (the mandate is the household's)."""
    out: Layer = {}
    owner: dict[str, str] = {}
    for account, layer in layers:
        for key, given in layer.items():
            if key in out and _plain(out[key].value) != _plain(given.value):
                message = (f"accounts {owner[key]!r} and {account!r} of one household set "
                           f"{key} to {out[key].value!r} and {given.value!r}")  # fmt: skip
                raise InputError(message, path=given.path, line=given.line,
                                 hint="a household has one mandate: give it under 'households:'")  # fmt: skip
            out[key], owner[key] = given, account
    return out


# -- reading the file ---------------------------------------------------------------------------


def read_mandate_file(path: str | Path | None) -> MandateFile:
    """Read and check a mandate file: YAML structure, known keys, and every value (a Mandate is
    built from ``default`` and from ``default`` with each override).

    Raises
    ------
    InputError
        Naming the file, the line, the key and the value.
    """
    if path is None:
        return MandateFile()
    where = str(path)
    doc = _load(Path(path))
    for key in doc:
        if key not in SECTIONS:
            hint = "the sections are default:, households: and accounts:"
            raise InputError(f"unknown section {key!r}", path=where, line=doc.lines[key],
                             value=str(key), hint=hint)  # fmt: skip
    default = _layer(doc.get("default"), where, doc.lines.get("default", doc.line), "default")
    result = MandateFile(where, default, _overrides(doc, "households", where),
                         _overrides(doc, "accounts", where))  # fmt: skip
    build_options([default])
    for layer in [*result.households.values(), *result.accounts.values()]:
        build_options([default, layer])
    return result


def _load(path: Path) -> _Map:
    import yaml

    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read the mandate file ({exc.strerror or exc})", path=str(path),
                         hint="check the path given to --mandate") from exc  # fmt: skip
    try:
        doc = yaml.load(text, Loader=yaml_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise InputError(f"not valid YAML: {exc.problem or exc}", path=str(path), line=line,
                         hint="fix the YAML (indentation, colons)") from exc  # fmt: skip
    if doc is None:
        return _Map(1)
    if not isinstance(doc, _Map):
        raise InputError("the mandate file is not a mapping of sections", path=str(path), line=1,
                         hint="start with 'default:' (see the README's advisor book)")  # fmt: skip
    return doc


def _overrides(doc: _Map, section: str, where: str) -> dict[str, Layer]:
    given = doc.get(section)
    line = doc.lines.get(section, doc.line)
    if given is None:
        return {}
    if not isinstance(given, _Map):
        hint = f"write {section}: then one indented name per {section[:-1]}, each with options"
        raise InputError(f"'{section}' is not a mapping", path=where, line=line, hint=hint)
    return {str(k): _layer(v, where, given.lines[k], f"{section}: {k}") for k, v in given.items()}


def _layer(given: Any, where: str, line: int, what: str) -> Layer:
    """One section's options, each checked to be an option of ``advisor propose``."""
    if given is None:
        return {}
    if not isinstance(given, _Map):
        raise InputError(f"{what} is not a mapping of options", path=where, line=line,
                         value=str(given), hint="write one option per line, e.g. max-te: 3%")  # fmt: skip
    known = option_kinds()
    out: Layer = {}
    for key, value in given.items():
        name = str(key).lstrip("-").replace("_", "-")
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
            hint = f"did you mean {' or '.join(close)}?" if close else "see advisor propose --help"
            raise InputError(f"unknown option {name!r} in {what}", path=where,
                             line=given.lines[key], value=str(key), hint=hint)  # fmt: skip
        out[name] = Given(value, where, given.lines[key])
    return out


# -- options -> Mandate ---------------------------------------------------------------------------


def option_kinds() -> dict[str, tuple[str, Any]]:
    """Option name (no dashes) -> (kind, Mandate field name or None for holdings options)."""
    from advisor.optimize.mandate import option_fields

    out: dict[str, tuple[str, Any]] = {
        f.metadata["option"].lstrip("-"): (f.metadata["kind"], f) for f in option_fields()
    }
    out.update({k: ("holdings", None) for k in HOLDINGS_KEYS})
    return out


@dataclass(frozen=True)
class Options:
    """What a household is proposed with: the Mandate and the holdings options."""

    mandate: Any  # advisor.Mandate
    benchmark: str | None = None
    megacaps: tuple[str, ...] = ()
    total_value: float | None = None
    unknown: str = "error"
    mapping: dict[str, str] = field(default_factory=dict)

    def propose_kwargs(self) -> dict[str, Any]:
        """The keywords of :func:`advisor.propose` besides holdings, market and mandate."""
        from advisor.market.snapshot import DEFAULT_MEGACAPS

        return {"benchmark": self.benchmark, "megacaps": self.megacaps or DEFAULT_MEGACAPS,
                "total_value": self.total_value}  # fmt: skip


def household_layer(mandate: Mapping[str, str], tax_rates: Mapping[str, float], path: str) -> Layer:
    """A household file's own ``mandate:`` and ``tax_rates:`` as a layer."""
    out = {str(k): Given(v, path) for k, v in mandate.items()}
    if tax_rates and "tax-rates" not in out:
        out["tax-rates"] = Given(dict(tax_rates), path)
    for name in out:
        if name not in option_kinds():
            raise InputError(f"unknown option {name!r} in the household file's mandate",
                             path=path, value=name, hint="see advisor propose --help")  # fmt: skip
    return out


def effective(book: MandateFile, household: str, account_ids: Iterable[str],
              own: Layer | None = None) -> Options:  # fmt: skip
    """The options a household is proposed with (the layers in the module notes)."""
    return build_options([book.default, own or {}, *book.layers(household, account_ids)])


def build_options(layers: Sequence[Layer]) -> Options:
    """Options from layers (each replacing the keys it gives), every value checked."""
    from advisor.optimize.mandate import Mandate

    merged: Layer = {}
    for layer in layers:
        merged.update(layer)
    kinds = option_kinds()
    kwargs: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for name, given in merged.items():
        kind, f = kinds[name]
        try:
            value = _value(name, kind, f, given.value)
        except (ValueError, TypeError) as exc:
            raise _bad(given, name, str(exc)) from exc
        (extra if f is None else kwargs)[name if f is None else f.name] = value
    try:
        mandate = Mandate(**kwargs)
    except AdvisorError as exc:  # a value out of range, a mix that does not add up
        culprit = _culprit(exc, merged)
        raise _bad(culprit, _name_of(culprit, merged), exc.message, exc.hint) from exc
    return Options(mandate, extra.get("benchmark"), tuple(extra.get("megacaps", ())),
                   extra.get("total-value"), extra.get("unknown", "error"),
                   dict(extra.get("map", {})))  # fmt: skip


def _bad(given: Given | None, name: str, message: str, hint: str | None = None) -> InputError:
    value = None if given is None else str(given.value)
    path = None if given is None else given.path
    line = None if given is None else given.line
    return InputError(f"{name}: {message}", path=path, line=line, value=value,
                      hint=hint or "spell it as on the command line, e.g. max-te: 3%")  # fmt: skip


def _culprit(exc: AdvisorError, merged: Layer) -> Given | None:
    """The given option an error from the Mandate is about (by the name it mentions)."""
    text = f"{exc.message} {getattr(exc, 'option', '') or ''}".lower()
    for name in sorted(merged, key=len, reverse=True):
        if name in text or name.replace("-", " ") in text or name.replace("-", "_") in text:
            return merged[name]
    return next(iter(merged.values()), None)


def _name_of(given: Given | None, merged: Layer) -> str:
    return next((k for k, g in merged.items() if g is given), "mandate")


def _listed(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    return tuple(str(v).strip() for v in items if str(v).strip())


def _named(value: Any, name: str) -> list[tuple[str, str]]:
    """``{value: IVE}``, ``[value=IVE]`` or ``value=IVE,small-cap=IWM`` as pairs."""
    if isinstance(value, Mapping):
        return [(str(k), str(v)) for k, v in value.items()]
    return pairs(list(_listed(value)), name)


def _value(name: str, kind: str, f: Any, value: Any) -> Any:
    """One option's value as the Mandate (or the holdings options) takes it."""
    if value is None:
        raise ValueError("no value given")
    if kind == "percent":
        if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > 1:
            raise ValueError(f"{value} is ambiguous: write {value}% or {value / 100:g}")
        return parse_percent(value if isinstance(value, int | float) else str(value))
    if kind == "money":
        return parse_money(value if isinstance(value, int | float) else str(value), allow_zero=True)
    if kind == "float":
        number = float(value)
        if number < 0:
            raise ValueError(f"{value} must not be negative")
        return number
    if kind == "list":
        return _listed(value)
    if kind == "pairs":
        return dict(_named(value, name))
    if kind == "percent-pairs":
        return {k: parse_percent(v) for k, v in _named(value, name)}
    if kind == "flag":
        if not isinstance(value, bool):
            raise ValueError("write true or false")
        return value
    if kind == "choice":
        choices = [str(c) for c in f.metadata["choices"]]
        if str(value) not in choices:
            raise ValueError(f"{value!r} is not one of {', '.join(choices)}")
        return str(value)
    if kind == "mix":
        return _mix(name, value)
    return _holdings_value(name, value)


def _mix(name: str, value: Any) -> Any:
    """``sleeve-mix``, ``asset-mix``, ``tax-rates`` (text or a mapping) and ``trade-date``."""
    if name == "tax-rates" and isinstance(value, Mapping):
        return {str(k): parse_percent(v if isinstance(v, int | float) else str(v))
                for k, v in value.items()}  # fmt: skip
    if isinstance(value, Mapping):
        return ",".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def _holdings_value(name: str, value: Any) -> Any:
    if name == "megacaps":
        return _listed(value)
    if name == "total-value":
        return parse_money(value if isinstance(value, int | float) else str(value))
    if name == "unknown":
        if str(value) not in UNKNOWN_CHOICES:
            raise ValueError(f"{value!r} is not one of {', '.join(UNKNOWN_CHOICES)}")
        return str(value)
    if name == "map":
        return dict(_named(value, "map"))
    return str(value)  # benchmark
