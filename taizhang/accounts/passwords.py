"""Django's password rules, worded in Chinese (the interface's own language; English comes from
the project's translations like every other message)."""

from django.contrib.auth import password_validation as base
from django.utils.translation import gettext as _


class MinimumLengthValidator(base.MinimumLengthValidator):
    def get_error_message(self):
        return _("密码太短:至少需要 %(min_length)d 个字符。")

    def get_help_text(self):
        return _("密码至少 %(min_length)d 个字符。") % {"min_length": self.min_length}


class CommonPasswordValidator(base.CommonPasswordValidator):
    def get_error_message(self):
        return _("这个密码太常见,容易被猜到。")

    def get_help_text(self):
        return _("不能使用常见密码。")


class NumericPasswordValidator(base.NumericPasswordValidator):
    def get_error_message(self):
        return _("密码不能全是数字。")

    def get_help_text(self):
        return _("密码不能全是数字。")


class UserAttributeSimilarityValidator(base.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return _("密码与您的%(verbose_name)s太相似。")

    def get_help_text(self):
        return _("密码不能与您的用户名、姓名等太相似。")
