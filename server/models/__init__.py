"""SQLAlchemy 2.x typed models, one module per domain. Importing this registers them all."""

from server.db import Base
from server.models.accounts import ApiToken, LoginThrottle, User
from server.models.audit import AuditEntry
from server.models.blobs import Blob, Upload
from server.models.calendar import CalendarNotice, CalendarOverride, DeadlineRule
from server.models.codes import (
    PremisesCode,
    RecusalRequest,
    SigningKey,
    VisitEntry,
    VisitRating,
)
from server.models.companies import Company, company_tags
from server.models.departments import Department
from server.models.inspectors import Inspector, inspector_tags
from server.models.items import InspectionItem, InspectionItemVersion
from server.models.plans import (
    Draw,
    DrawCompany,
    DrawStratum,
    InspectorConflict,
    Plan,
    PlanVersion,
    Task,
    TaskItem,
    Visit,
    VisitItem,
    VisitMember,
    VisitMerge,
    task_departments,
)
from server.models.reports import ReportManualFigure, ReportTarget
from server.models.results import FollowUp, Result, ResultCategory, ResultItem
from server.models.sync import (
    Change,
    Device,
    FieldRevision,
    RegisterHead,
    RevisionBase,
    SyncOp,
)
from server.models.tags import Tag

__all__ = [
    "ApiToken", "LoginThrottle", "AuditEntry", "Base", "Blob", "Company", "Department", "Draw", "DrawCompany",
    "DrawStratum", "InspectionItem", "InspectionItemVersion", "Inspector", "InspectorConflict",
    "Plan", "PlanVersion", "Tag", "Task", "TaskItem", "User", "Visit", "VisitItem", "VisitMember",
    "VisitMerge", "PremisesCode", "SigningKey", "VisitEntry", "VisitRating", "RecusalRequest", "Upload",
    "Change", "Device", "FieldRevision", "RegisterHead", "RevisionBase", "SyncOp", "company_tags",
    "inspector_tags", "task_departments", "CalendarNotice", "CalendarOverride", "DeadlineRule",
    "ReportManualFigure", "ReportTarget", "FollowUp", "Result", "ResultCategory", "ResultItem",
]
