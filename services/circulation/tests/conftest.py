from circulation.config import CirculationSettings
from circulation.main import create_app
from pusip_kit.testing.service import service_fixture

client = service_fixture(create_app, CirculationSettings)
