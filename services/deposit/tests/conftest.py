from deposit.config import DepositSettings
from deposit.main import create_app
from pusip_kit.testing.service import service_fixture

client = service_fixture(create_app, DepositSettings)
