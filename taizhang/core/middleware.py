"""Chinese unless the user chose otherwise.

Django's LocaleMiddleware follows the browser's Accept-Language, so an English-language
browser would get English pages. Here the choice is the user's own (the language menu
sets a cookie); everyone else gets the default, zh-hans.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation


class LocaleMiddleware(DjangoLocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
