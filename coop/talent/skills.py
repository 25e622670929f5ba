"""The skill vocabulary: suggested skills per track (by the track's slug), offered as
checkboxes on the career profile; people add free tags beside them."""

VOCABULARY: dict[str, list[str]] = {
    "data-analytics": [
        "SQL",
        "Excel",
        "Tableau",
        "Power BI",
        "Python",
        "Statistics",
        "Data cleaning",
        "Dashboards",
        "Data storytelling",
    ],
    "digital-marketing": [
        "SEO",
        "Paid search",
        "Paid social",
        "Google Analytics",
        "Content writing",
        "Email marketing",
        "Copywriting",
        "Campaign planning",
        "A/B testing",
    ],
}
#: For a track without its own list.
GENERAL = ["Communication", "Project management", "Presentation", "Teamwork"]

#: At most this many skills (vocabulary and tags together) on a profile.
MAX_SKILLS = 30
#: The longest a free tag may be.
MAX_TAG = 40


def vocabulary_for(slug: str | None) -> list[str]:
    return VOCABULARY.get(slug or "", []) + GENERAL


def parse_tags(text: str | None) -> list[str]:
    """Comma-separated tags, trimmed, de-duplicated (case-insensitively), in order."""
    seen, tags = set(), []
    for raw in (text or "").split(","):
        tag = " ".join(raw.split())
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    return tags
