"""Alumni captains, captain teams, pods and check-ins."""
