"""Resolve the intrinsic functions of template.yaml against what the local stack created."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from infra.local.template import TemplateError

_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


@dataclass
class PhysicalResources:
    """What Ref and Fn::GetAtt answer for each logical id, and the template's parameter values."""

    region: str
    account_id: str
    stack_name: str
    parameters: dict[str, str] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    attributes: dict[tuple[str, str], str] = field(default_factory=dict)

    def pseudo_parameters(self) -> dict[str, str]:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::StackName": self.stack_name,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }

    def ref(self, name: str) -> str:
        for source in (self.parameters, self.pseudo_parameters(), self.refs):
            if name in source:
                return source[name]
        raise TemplateError(f"Ref {name}: no such parameter or resource in the local stack")

    def get_att(self, logical_id: str, attribute: str) -> str:
        try:
            return self.attributes[(logical_id, attribute)]
        except KeyError:
            raise TemplateError(f"Fn::GetAtt {logical_id}.{attribute}: not known to the local stack") from None

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (function, argument), = value.items()
            if function == "Ref":
                return self.ref(argument)
            if function == "Fn::GetAtt":
                logical_id, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
                return self.get_att(logical_id, attribute)
            if function == "Fn::Sub":
                return self._sub(argument)
            if function == "Fn::Join":
                separator, items = argument
                return separator.join(str(self.resolve(item)) for item in items)
            if function.startswith("Fn::"):
                raise TemplateError(f"{function} is not supported by the local stack")
        return {key: self.resolve(item) for key, item in value.items()}

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(self.resolve(variables[name]))
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return self.get_att(logical_id, attribute)
            return self.ref(name)

        return _SUB_VARIABLE.sub(substitute, text)
