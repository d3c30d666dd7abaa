"""LEAD-k: the first k body sentences. The baseline every news summarizer must beat."""

from __future__ import annotations

from ..bullets import make_bullets
from . import BaseBackend, Request, Result


class LeadBackend(BaseBackend):
    """The first N sentences of the body, in order."""

    name = "lead"

    def summarize(self, request: Request) -> Result:
        """Take the first N candidate sentences."""
        chosen = list(request.sentences[: request.options.bullets])
        return Result(make_bullets(chosen, request.language.code, request.options))
