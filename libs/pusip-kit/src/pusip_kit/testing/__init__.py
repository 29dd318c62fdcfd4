"""Test helpers shared by the kit, the services and the gateway."""
