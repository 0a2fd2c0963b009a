"""Every error code the API answers with, its HTTP status and what it means (错误码表):
the one catalogue. Exceptions and error handlers take their status from it, a test fails
when the server raises a code that is not here, and ``docs/errors.md`` is generated from
it (``python -m schemas.errors > docs/errors.md``).

Beside the codes of error answers: the reasons a pushed op is rejected (``RejectReason``,
inside a 200 answer of ``POST /sync/push``) and the problems that keep a visit from being
submitted (``SubmissionProblem``). An op may also be rejected with the code of the rule
that refused it: an entry scan with one of ``ENTRY_SCAN_REFUSALS``, a submission with the
code of the result's rule (``calendar_range``).
"""

from __future__ import annotations

from enum import StrEnum

# The sections of the table, in the order the docs show them.
GENERAL = "Any endpoint"
ACCOUNTS = "Accounts and sign-in"
REGISTRIES = "Registries and imports"
CALENDAR = "Working-day calendar"
PLANS = "Plans, tasks and draws"
VISITS = "Visits, codes and entry (扫码入企)"
PUBLIC = "The company's verification page"
SYNC = "Devices, sync and photo uploads"
RESULTS = "Results, follow-up and the on-site record"
SECTIONS = (GENERAL, ACCOUNTS, REGISTRIES, CALENDAR, PLANS, VISITS, PUBLIC, SYNC, RESULTS)


class ErrorCode(StrEnum):
    """``code`` of the error answer ``{status, code, message, errors}``. ``status`` is the
    HTTP status it is answered with; a code refused where it is looked up (a signed code
    on the verification page) and where it is used (an entry scan) has one per place,
    ``statuses``, the first the usual one."""

    statuses: tuple[int, ...]
    section: str
    meaning: str

    def __new__(cls, value: str, statuses: int | tuple[int, ...], section: str, meaning: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.statuses = statuses if isinstance(statuses, tuple) else (statuses,)
        member.section = section
        member.meaning = meaning
        return member

    @property
    def status(self) -> int:
        return self.statuses[0]

    def status_for(self, preferred: int) -> int:
        """The status this code is answered with where ``preferred`` is the refusal's
        usual one (the exception class's): that one if the code has it, else the code's."""
        return preferred if preferred in self.statuses else self.status

    # --- any endpoint: the HTTP layer and the request's shape ---------------------------
    BAD_REQUEST = "bad_request", 400, GENERAL, "The request could not be read (a body that is not JSON)."
    VALIDATION_ERROR = "validation_error", 422, GENERAL, (
        "A field of the body or the query string is invalid, missing or unknown; `errors` "
        "names each. Also an entry scan without a premises code, reason and photo.")
    INVALID_VALUE = "invalid_value", 422, GENERAL, "A value does not fit its database column."
    RULE_VIOLATION = "rule_violation", 422, GENERAL, (
        "Well-formed input that a business rule refuses (the message says which).")
    CONFLICT = "conflict", 409, GENERAL, "The change conflicts with data already stored."
    DUPLICATE = "duplicate", 409, GENERAL, (
        "An object with this natural key (code, credit code, username, year...) exists.")
    NOT_FOUND = "not_found", 404, GENERAL, (
        "No such object, or one outside the caller's scope (no hint that it exists).")
    METHOD_NOT_ALLOWED = "method_not_allowed", 405, GENERAL, (
        "The path does not take this method; `Allow` lists those it takes.")
    PRECONDITION_FAILED = "precondition_failed", 412, GENERAL, "A request precondition failed."
    PRECONDITION_REQUIRED = "precondition_required", 428, GENERAL, (
        "The request must be conditional (If-Match).")
    BODY_TOO_LARGE = "body_too_large", 413, GENERAL, (
        "The body is over the endpoint's limit (`limit_bytes`), declared or chunked.")
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", 415, GENERAL, (
        "An endpoint that takes a JSON body got none, a form or text; or a photo that is "
        "not JPEG, PNG or HEIC.")
    TOO_MANY_ATTEMPTS = "too_many_attempts", 429, GENERAL, "Too many requests of this kind; wait."
    HTTP_ERROR = "http_error", 400, GENERAL, "Any other HTTP error, with its status."
    DATABASE_BUSY = "database_busy", 503, GENERAL, (
        "The database is busy (a lock or statement timeout); try again after `Retry-After`.")
    INTERNAL_ERROR = "internal_error", 500, GENERAL, "An unexpected error; it has been logged."

    # --- accounts -----------------------------------------------------------------------
    AUTHENTICATION_REQUIRED = "authentication_required", 401, ACCOUNTS, (
        "No bearer token was sent.")
    UNAUTHORIZED = "unauthorized", 401, ACCOUNTS, "Not signed in."
    INVALID_TOKEN = "invalid_token", 401, ACCOUNTS, (
        "The bearer token is not valid, has expired or was revoked, or its account's "
        "inspector is deactivated.")
    INVALID_HEADER = "invalid_header", 400, ACCOUNTS, "The Authorization header is malformed."
    INVALID_CREDENTIALS = "invalid_credentials", 401, ACCOUNTS, "Wrong username or password."
    LOGIN_THROTTLED = "login_throttled", 429, ACCOUNTS, (
        "Too many failed sign-ins for this name or from this address: wait "
        "`retry_after_seconds` (also `Retry-After`).")
    FORBIDDEN = "forbidden", 403, ACCOUNTS, (
        "The role may never do this, whatever the object (scope misses are `not_found`).")

    # --- registries and imports ---------------------------------------------------------
    INVALID_CREDIT_CODE = "invalid_credit_code", 422, REGISTRIES, (
        "The only invalid field is a unified social credit code (统一社会信用代码) that "
        "fails its check.")
    INVALID_ID_NUMBER = "invalid_id_number", 422, REGISTRIES, (
        "The only invalid field is a resident ID number (身份证号) that fails its check.")
    ITEM_DEACTIVATED = "item_deactivated", 409, REGISTRIES, (
        "The inspection item is deactivated; reactivate it before changing it.")
    IMPORT_REJECTED = "import_rejected", 422, REGISTRIES, (
        "Rows of the import are invalid; nothing was imported (`errors` per row).")
    UNSUPPORTED_FILE_TYPE = "unsupported_file_type", 422, REGISTRIES, "Not a .csv or .xlsx file."
    BAD_FILE = "bad_file", 422, REGISTRIES, (
        "The file cannot be read (a broken XLSX, missing columns, too large when expanded).")
    BAD_ENCODING = "bad_encoding", 422, REGISTRIES, "The CSV file is neither UTF-8 nor GB18030."
    EMPTY_FILE = "empty_file", 422, REGISTRIES, "The file is empty."
    TOO_MANY_ROWS = "too_many_rows", 422, REGISTRIES, "The file has more rows than an import takes."

    # --- the working-day calendar --------------------------------------------------------
    YEAR_KNOWN = "year_known", 409, CALENDAR, (
        "The year is in the official calendar; its notice is not entered by hand.")
    INVALID_NOTICE = "invalid_notice", 422, CALENDAR, (
        "The holiday notice (节假日安排通知) contradicts the law or itself.")
    CALENDAR_RANGE = "calendar_range", 422, CALENDAR, (
        "A deadline would fall beyond the end of the working-day calendar.")

    # --- plans, tasks and draws -----------------------------------------------------------
    RATIO_OVER_CAP = "ratio_over_cap", 422, PLANS, "A ratio is over its item's cap."
    EMPTY_SCOPE = "empty_scope", 422, PLANS, "The task's scope names nothing to draw from."
    ITEM_NOT_PARTICIPATING = "item_not_participating", 422, PLANS, (
        "An item of a department that does not take part in the task.")
    DEPARTMENT_WITHOUT_ITEMS = "department_without_items", 422, PLANS, (
        "A participating department checks none of its items.")
    EMPTY_PLAN = "empty_plan", 422, PLANS, "A plan without tasks cannot be published."
    NOTHING_TO_PUBLISH = "nothing_to_publish", 409, PLANS, (
        "The plan is published and unchanged since.")
    FILING_REQUIRED = "filing_required", 422, PLANS, (
        "A published plan was changed: republishing needs a filing (备案) note.")
    TASK_NOT_IN_PUBLISHED_PLAN = "task_not_in_published_plan", 422, PLANS, (
        "The task's plan is not published (with the task in it).")
    REDRAW_REQUIRES_REASON = "redraw_requires_reason", 422, PLANS, (
        "The task has been drawn: a redraw is a new, recorded draw and needs a reason.")
    NO_ELIGIBLE_COMPANIES = "no_eligible_companies", 422, PLANS, (
        "No company is eligible (or the named one is not in the registry).")
    DRAW_IMPOSSIBLE = "draw_impossible", 422, PLANS, (
        "The inspector draw cannot be met (`company`, `constraint`).")
    NO_SUBSTITUTE_LEFT = "no_substitute_left", 422, PLANS, "The stratum has no substitute company left."
    DRAW_SUPERSEDED = "draw_superseded", 409, PLANS, "The draw was superseded by a redraw."
    VISIT_STARTED = "visit_started", 409, PLANS, (
        "The visit has started: its company or team can no longer be replaced.")
    MERGE_NOT_POSSIBLE = "merge_not_possible", 422, PLANS, (
        "The visits cannot be merged (other task or company, started, windows apart).")
    MERGE_PENDING = "merge_pending", 409, PLANS, "A merge of these visits awaits an answer."
    MERGE_DECIDED = "merge_decided", 409, PLANS, "The merge was decided already."

    # --- visits, signed codes and entry -----------------------------------------------------
    INVALID_CODE = "invalid_code", (422, 400), VISITS, (
        "Not a genuine inspection code (422 on an entry scan, 400 where a code is looked up).")
    UNKNOWN_KEY = "unknown_key", (422, 400), VISITS, "The code was signed by an unknown key."
    WRONG_KIND = "wrong_kind", (422, 400), VISITS, (
        "A premises code where a visit code is expected, or the other way round.")
    CODE_EXPIRED = "code_expired", (422, 410), VISITS, (
        "The visit's window has ended (410 on the verification page: the visit ended too "
        "long ago for its page).")
    CODE_REVOKED = "code_revoked", (422, 400), VISITS, (
        "The code has been replaced: a newer premises code, or the visit was cancelled, "
        "merged or changed its team or window.")
    WRONG_PREMISES = "wrong_premises", 422, VISITS, "The premises code is another company's."
    OUTSIDE_WINDOW = "outside_window", 422, VISITS, (
        "The scan is outside the visit window (with its grace), or a manual entry too late.")
    NOT_ON_TEAM = "not_on_team", 403, VISITS, "The inspector is not on this visit's team."
    VISIT_NOT_OPEN = "visit_not_open", 409, VISITS, (
        "The visit's state does not allow this (entered, submitted, closed, cancelled...).")
    NO_PREMISES_CODE = "no_premises_code", 404, VISITS, (
        "No premises code (场所码) has been issued for this company.")
    CJK_FONT_MISSING = "cjk_font_missing", 503, VISITS, (
        "The server has no Chinese font to print the code or record with.")

    # --- the company's verification page -----------------------------------------------------
    WRONG_CREDIT_CODE = "wrong_credit_code", 422, PUBLIC, (
        "The credit code is not this visit's company's.")
    NOT_YET_RATEABLE = "not_yet_rateable", 422, PUBLIC, (
        "A visit is rated once the inspectors have entered.")
    ALREADY_RATED = "already_rated", 409, PUBLIC, "This visit has been rated already."
    RECUSAL_PENDING = "recusal_pending", 409, PUBLIC, (
        "A recusal (回避) of this inspector awaits a decision.")
    TOO_MANY_RECUSALS = "too_many_recusals", 429, PUBLIC, (
        "The visit has had as many recusal requests as it takes.")

    # --- devices, sync and photo uploads -------------------------------------------------------
    UNKNOWN_DEVICE = "unknown_device", 403, SYNC, (
        "Unknown device, another user's, or the wrong device credential.")
    DEVICE_REVOKED = "device_revoked", 403, SYNC, "The device has been revoked."
    OP_ID_REUSED = "op_id_reused", 409, SYNC, (
        "An op id was sent again with another payload (`op_ids`); nothing of the push applied.")
    BACKUP_OF_ANOTHER_USER = "backup_of_another_user", 403, SYNC, (
        "The outbox backup was exported by another account: only its own inspector "
        "imports it.")
    BAD_CURSOR = "bad_cursor", 422, SYNC, (
        "The pull cursor is not one this server gave: pull again from the beginning.")
    TUS_VERSION_UNSUPPORTED = "tus_version_unsupported", 412, SYNC, (
        "The upload does not speak tus 1.0.0 (`Tus-Resumable`).")
    UNSUPPORTED_CONTENT_TYPE = "unsupported_content_type", 415, SYNC, (
        "A chunk not sent as application/offset+octet-stream.")
    UNSUPPORTED_CHECKSUM_ALGORITHM = "unsupported_checksum_algorithm", 400, SYNC, (
        "An Upload-Checksum algorithm the server does not take.")
    CHECKSUM_MISMATCH = "checksum_mismatch", 460, SYNC, (
        "The chunk does not match its Upload-Checksum; it was not kept.")
    UPLOAD_LOCKED = "upload_locked", 423, SYNC, "Another request is writing this upload."
    OFFSET_MISMATCH = "offset_mismatch", 409, SYNC, (
        "Upload-Offset is not where the upload is; resume from its offset (HEAD).")
    BEYOND_UPLOAD_LENGTH = "beyond_upload_length", 413, SYNC, (
        "The chunk goes beyond the upload's declared length.")
    LENGTH_MISMATCH = "length_mismatch", 409, SYNC, (
        "The photo with this SHA-256 is stored with another length.")
    HASH_MISMATCH = "hash_mismatch", 409, SYNC, (
        "The photo's bytes do not hash to the declared SHA-256; they were dropped.")
    PHOTO_TOO_LARGE = "photo_too_large", 413, SYNC, "The photo has too many bytes or pixels."

    # --- results, follow-up and the on-site record ----------------------------------------------
    RESULT_NOT_SUBMITTED = "result_not_submitted", 409, RESULTS, "The result is not awaiting review."
    RESULT_NOT_APPROVED = "result_not_approved", 409, RESULTS, (
        "Only an approved result is published or followed up.")
    ALREADY_PUBLISHED = "already_published", 409, RESULTS, "The result is already published."
    NO_PROBLEM = "no_problem", 422, RESULTS, (
        "The result found no problem: there is nothing to follow up.")
    FOLLOW_UP_NOT_PENDING = "follow_up_not_pending", 409, RESULTS, (
        "The follow-up is not awaiting acceptance.")
    FOLLOW_UP_NOT_OPEN = "follow_up_not_open", 409, RESULTS, "The follow-up is closed."
    NOT_SUBMITTED = "not_submitted", 409, RESULTS, (
        "The visit has not been submitted: its on-site record is made on submission.")
    RECORD_NOT_FOUND = "record_not_found", 404, RESULTS, "No on-site record has this SHA-256."


def status_of(code: str, preferred: int) -> int:
    """The status an error of ``code`` is answered with, where ``preferred`` is its
    exception class's; a code not in the catalogue keeps ``preferred`` (and fails
    tests/server/test_error_catalogue.py)."""
    try:
        return ErrorCode(code).status_for(preferred)
    except ValueError:
        return preferred


# Codes kept in the catalogue although no server code raises them today: answers of the
# HTTP layer the API does not provoke yet (no endpoint is conditional).
RESERVED = frozenset({ErrorCode.PRECONDITION_FAILED, ErrorCode.PRECONDITION_REQUIRED})

# What an entry scan is refused with, at ``POST /visits/{id}/entries`` and as a pushed
# ``entry_scan`` op's reason.
ENTRY_SCAN_REFUSALS = frozenset({
    ErrorCode.INVALID_CODE, ErrorCode.UNKNOWN_KEY, ErrorCode.WRONG_KIND,
    ErrorCode.CODE_EXPIRED, ErrorCode.CODE_REVOKED, ErrorCode.WRONG_PREMISES,
    ErrorCode.OUTSIDE_WINDOW, ErrorCode.VALIDATION_ERROR, ErrorCode.NOT_ON_TEAM,
    ErrorCode.VISIT_NOT_OPEN})


class RejectReason(StrEnum):
    """``reason`` of a pushed op answered ``rejected`` (in the order they are checked)."""

    meaning: str

    def __new__(cls, value: str, meaning: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.meaning = meaning
        return member

    NOT_A_TEAM_MEMBER = "not_a_team_member", (
        "The visit does not exist or the device's owner is not on its team; not stored, "
        "judged again when sent again.")
    VISIT_CLOSED = "visit_closed", (
        "The visit is submitted, closed, cancelled or merged (an entry scan: not issued or "
        "entered).")
    ITEM_NOT_IN_VISIT = "item_not_in_visit", "The item version is not one of the visit's items."
    ITEM_OF_OTHER_DEPARTMENT = "item_of_other_department", (
        "An item's answer or result from an inspector of another department.")
    UNKNOWN_FIELD = "unknown_field", "The item's form has no such field."
    RESOLVE_NAMES_NO_SIBLINGS = "resolve_names_no_siblings", "A resolve with an empty base."
    BAD_VALUE = "bad_value", "The field's type does not take the value (or a note is not text)."
    UNKNOWN_CATEGORY = "unknown_category", "The result category does not exist or is deactivated."
    WRONG_VISIT_CODE = "wrong_visit_code", "An entry scan's visit code is another visit's."
    NOT_READY = "not_ready", "The visit cannot be submitted yet; `problems` says why."


class SubmissionProblem(StrEnum):
    """``problem`` of each entry in a ``not_ready`` rejection's ``problems`` (提交条件)."""

    meaning: str

    def __new__(cls, value: str, meaning: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.meaning = meaning
        return member

    NOT_ENTERED = "not_entered", "An on-site visit without an entry scan."
    CONFLICTED = "conflicted", "A register holds concurrent values (`register`)."
    UNANSWERED = "unanswered", "A required field has no answer (`item_version_id`, `field`)."
    RESULT_MISSING = "result_missing", "The company's result is not entered."
    SIGNATURE_STALE = "signature_stale", (
        "A member signed an earlier state of the checklist (`inspector_id`).")
    SIGNATURES_MISSING = "signatures_missing", "Fewer than two current signatures (`signed`, `needed`)."
    DEPARTMENT_UNSIGNED = "department_unsigned", (
        "No member of a department whose items the visit holds has signed (`department_id`).")
    COMPANY_UNSIGNED = "company_unsigned", (
        "An on-site visit without the company's signature or its recorded refusal "
        "(当事人签字 / 拒绝签字: `company_sign`).")


def markdown() -> str:
    """docs/errors.md: the tables above, as a newcomer reads them."""
    lines = [
        "# Error codes",
        "",
        "Generated from `schemas/errors.py` (`python -m schemas.errors > docs/errors.md`); "
        "a test keeps the two equal. Every error answer is JSON of one shape, "
        "`{\"status\", \"code\", \"message\", \"errors\"}` (see "
        "[api-conventions.md](api-conventions.md)).",
    ]
    for section in SECTIONS:
        lines += ["", f"## {section}", "", "| code | status | meaning |", "|---|---|---|"]
        for code in ErrorCode:
            if code.section == section:
                status = " / ".join(str(s) for s in code.statuses)
                reserved = " (reserved: not answered yet)" if code in RESERVED else ""
                lines.append(f"| `{code}` | {status} | {code.meaning}{reserved} |")
    entry = ", ".join(f"`{c}`" for c in ErrorCode if c in ENTRY_SCAN_REFUSALS)
    lines += [
        "", "## Rejected sync ops", "",
        "A pushed op answered `rejected` carries one of these reasons (see "
        "[sync-protocol.md](sync-protocol.md)); an `entry_scan` may also carry the code its "
        f"entry was refused with ({entry}), a `submit` the code of the result's rule "
        "that refused it (with `message`).", "",
        "| reason | meaning |", "|---|---|",
    ]
    lines += [f"| `{r}` | {r.meaning} |" for r in RejectReason]
    lines += ["", "### Why a visit cannot be submitted (`not_ready`)", "",
              "| problem | meaning |", "|---|---|"]
    lines += [f"| `{p}` | {p.meaning} |" for p in SubmissionProblem]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
