from tests.dispatch.conftest import fake  # noqa: F401  (the fake QQ account)
