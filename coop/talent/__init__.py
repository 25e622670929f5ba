"""The talent pool: career profiles, the search partners and staff use, shortlists and introductions with consent, and "I'm interested" on an opening."""
