"""spidermon's ItemValidationPipeline with the fast schema pre-check (measured hot path).

Same stats, same verdicts: a record the pre-check calls certainly valid (see
``fastcheck``) skips jsonschema; anything else is validated by spidermon's own
JSONSchemaValidator exactly as before. The record is read as a plain dict
without ``ItemAdapter.asdict()``'s deep copy.
"""

from __future__ import annotations

from spidermon.contrib.scrapy.pipelines import ItemValidationPipeline
from spidermon.contrib.validation.jsonschema.validator import JSONSchemaValidator

from newscrawler.pipelines.fastcheck import compile_schema, plain_dict


class FastJSONSchemaValidator(JSONSchemaValidator):
    def __init__(self, schema, *args, **kwargs):
        super().__init__(schema, *args, **kwargs)
        self._certainly_valid = compile_schema(schema) if isinstance(schema, dict) else (lambda _d: False)

    def validate(self, data, strict=True):
        if self._certainly_valid(data):
            self._reset()
            return True, self.errors
        return super().validate(data, strict=strict)


class FastItemValidationPipeline(ItemValidationPipeline):
    @classmethod
    def _load_jsonschema_validator(cls, schema):
        slow = super()._load_jsonschema_validator(schema)
        return FastJSONSchemaValidator(slow._schema)

    def process_item(self, item, spider=None):
        validators = self.find_validators(item)
        if not validators:
            return item
        item_dict = plain_dict(item)
        self.stats.add_item()
        self.stats.add_fields(len(item_dict.keys()))
        for validator in validators:
            ok, errors = validator.validate(item_dict)
            if not ok:  # as spidermon does it
                self._add_error_stats(errors)
                if self.add_errors_to_items:
                    from itemadapter import ItemAdapter

                    self._add_errors_to_item(ItemAdapter(item), errors)
                if self.drop_items_with_errors:
                    self._drop_item(item, errors)
        return item
