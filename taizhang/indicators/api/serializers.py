"""The indicator system through the API: the catalogue, values with their source, key tasks."""

from __future__ import annotations

from rest_framework import serializers

from ..models import Indicator, IndicatorValue, KeyTask


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "code", "name", "synonyms", "unit", "direction", "kind", "aggregation", "allow_over_100",
                  "numerator", "denominator", "factor", "part_of", "ledger_metric", "systems"]
        read_only_fields = fields


class IndicatorValueSerializer(serializers.ModelSerializer):
    # the number as text: the service refuses NaN, Infinity and what is beyond bounds, in Chinese
    value = serializers.CharField(max_length=40)
    confirm = serializers.BooleanField(write_only=True, required=False, default=False)
    document = serializers.IntegerField(source="fact.document_id", read_only=True, allow_null=True)
    quote = serializers.CharField(source="fact.quote", read_only=True, allow_null=True)

    class Meta:
        model = IndicatorValue
        fields = ["id", "indicator", "region", "year", "period_kind", "period_no", "value", "source", "status",
                  "public", "note", "fact", "document", "quote", "confirm"]
        read_only_fields = ["source", "status", "public", "fact", "document", "quote"]
        validators = []  # the service decides about duplicates (a second entry corrects the first)


class KeyTaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = KeyTask
        fields = ["id", "region", "year", "number", "title", "responsible_unit", "cooperating_units", "deadline",
                  "milestones", "indicators", "projects", "completed_on", "origin"]
        read_only_fields = fields
