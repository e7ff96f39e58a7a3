import os

from django.core.wsgi import get_wsgi_application

from marketing_platform.startup import freeze_loaded_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketing_platform.settings")
application = get_wsgi_application()
freeze_loaded_objects()
