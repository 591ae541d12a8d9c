# Name validation switches and the exemplar check, under prometheus_client's names.
#
# Imported on: CPython, MicroPython, CircuitPython (only when a program imports it, or gives
# an exemplar).
#
# By default any UTF-8 metric or label name is taken (pages write it per the escaping scheme
# a scrape asks for); enable_legacy_validation() limits new names to [a-zA-Z_:][a-zA-Z0-9_:]*
# (label names: no ':'), as PROMETHEUS_LEGACY_NAME_VALIDATION=true does on CPython.
from ._format import LEGACY, validate_labelname


def get_legacy_validation():
    return LEGACY[0]


def enable_legacy_validation():
    LEGACY[0] = True


def disable_legacy_validation():
    LEGACY[0] = False


def validate_exemplar(labels):
    # ValueError unless labels (a dict of str) makes a valid exemplar: label names valid,
    # names and values 128 characters together at most.
    runes = 0
    for k, v in labels.items():
        validate_labelname(k)
        runes += len(k) + len(v)
    if runes > 128:
        raise ValueError('Exemplar labels have %d UTF-8 characters, exceeding the limit of 128'
                         % runes)
