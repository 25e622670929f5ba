"""One page per person: what the viewer may see of one person, in one place (top layer:
it reads every domain). Other domains add sections through
``coop.core.person_sections.person_section``."""
