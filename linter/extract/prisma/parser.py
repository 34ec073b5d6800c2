"""Recursive descent over a Prisma schema's blocks and their members, with
the error recovery the package docstring describes: an error inside a block
is recorded once and parsing resumes at the block's closing brace or the
next line that starts a block."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import NamedTuple

from hos_lint.extract.prisma.checks import check_block
from hos_lint.extract.prisma.cursor import Failure
from hos_lint.extract.prisma.document import (
    KEYWORDS,
    Attribute,
    Block,
    BlockKind,
    EnumValue,
    Field,
    PrismaDocument,
    Property,
)
from hos_lint.extract.prisma.expressions import ExpressionParser
from hos_lint.extract.prisma.tokens import Tok, Token, describe, tokenize


def parse_schema(text: str, toks: list[Token] | None = None) -> PrismaDocument:
    """Parse Prisma Schema Language text (``toks``: its ``tokenize``, when the
    caller already has it). Pure; never raises: syntax errors are returned in
    ``errors`` and the rest of the document is still parsed."""
    return _Parser(text, tokenize(text) if toks is None else toks).parse()


@dataclass(slots=True)
class _Members:
    """Members collected so far for the block being parsed (mutable builder)."""

    fields: list[Field]
    attributes: list[Attribute]
    properties: list[Property]
    values: list[EnumValue]


class _Header(NamedTuple):
    """``keyword Name {`` (or Prisma's ``keywordName {``) starting at a token."""

    kind: BlockKind
    keyword: Token  # the keyword alone, even when glued to the name
    name: Token  # the name alone
    brace: int  # index of the '{' token


class _Parser(ExpressionParser):
    """Recursive descent over the token list; one instance per parse."""

    def skip_trivia(self) -> None:
        """Newlines and comments between members and between blocks."""
        while self.peek().kind in (Tok.NEWLINE, Tok.COMMENT):
            self.advance()

    def at_line_start(self, i: int) -> bool:
        """Is token ``i`` the first on its line (comments before it aside)?"""
        while i > 0 and self.toks[i - 1].kind is Tok.COMMENT:
            i -= 1
        return i == 0 or self.toks[i - 1].kind is Tok.NEWLINE

    def header(self, i: int) -> _Header | None:
        """The block header at token ``i``: ``model A {``, or ``modelA {`` which
        Prisma's grammar reads as model ``A`` (a keyword needs no blank after it)."""
        toks, last = self.toks, len(self.toks) - 1
        first = toks[i]
        if first.kind is not Tok.IDENT or i + 1 > last:
            return None
        if first.text in KEYWORDS:
            if i + 2 <= last and toks[i + 1].kind is Tok.IDENT and toks[i + 2].kind is Tok.LBRACE:
                return _Header(BlockKind(first.text), first, toks[i + 1], i + 2)
            return None
        if toks[i + 1].kind is not Tok.LBRACE:
            return None
        for keyword in KEYWORDS:
            rest = first.text[len(keyword):]
            if first.text.startswith(keyword) and rest[:1] not in ("", "_", "-"):
                n = len(keyword)
                kw = first._replace(text=keyword, end=first.start + n)
                name = first._replace(text=rest, col=first.col + n, start=first.start + n)
                return _Header(BlockKind(keyword), kw, name, i + 1)
        return None

    def at_block_start(self, i: int) -> bool:
        """Does token ``i`` open a block at the start of a line? (The cheap test
        first: walking back over comments happens for block headers only.)"""
        return self.header(i) is not None and self.at_line_start(i)


    # top level

    def parse(self) -> PrismaDocument:
        blocks: list[Block] = []
        while self.peek().kind is not Tok.EOF:
            tok = self.peek()
            if tok.kind in (Tok.NEWLINE, Tok.COMMENT):
                self.advance()
            elif tok.kind is Tok.IDENT and (tok.text in KEYWORDS or self.header(self.pos)):
                blocks.append(self.parse_block())
            else:
                self.error(tok, f"expected a block (model, view, type, enum, datasource, "
                                f"generator), found {describe(tok)}")
                self.skip_to_block_start()
        return PrismaDocument(tuple(blocks), tuple(self.errors))

    def skip_to_block_start(self) -> None:
        """Skip at least one token, then up to the next block start or EOF."""
        self.advance()
        while self.peek().kind is not Tok.EOF and not self.at_block_start(self.pos):
            self.advance()

    def parse_block(self) -> Block:
        """``keyword Name { members }``; on a syntax error, record it and recover.
        Everything after the ``{`` on its line was left out by the tokenizer,
        as Prisma ignores it."""
        head = self.header(self.pos)
        keyword = head.keyword if head else self.peek()
        kind = BlockKind(keyword.text)
        members = _Members([], [], [], [])
        name = ""
        body_start = None
        try:
            if head is None:
                self.advance()
                name = self.expect(Tok.IDENT, f"a name after '{keyword.text}'").text
                self.expect(Tok.LBRACE, f"'{{' after {keyword.text} {name}")
            else:
                name = head.name.text
                self.pos = head.brace + 1
            body_start = self.pos
            complete = self.parse_members(kind, keyword, name, members)
        except Failure as failure:
            self.recover(failure, keyword, name, body_start)
            complete = False
        block = Block(kind=kind, name=name, line=keyword.line, col=keyword.col,
                      fields=tuple(members.fields), attributes=tuple(members.attributes),
                      properties=tuple(members.properties), values=tuple(members.values),
                      complete=complete)
        if complete:
            where = f" (in {keyword.text} {name})"
            problems = [dataclasses.replace(e, message=e.message + where)
                        for e in sorted(check_block(block), key=lambda e: (e.line, e.col))]
            self.errors.extend(problems)
            if problems:
                block = dataclasses.replace(block, complete=False)
        return block

    def parse_members(self, kind: BlockKind, keyword: Token, name: str, members: _Members) -> bool:
        """Members up to the closing brace: True when it was found; False (with an
        error at the keyword) when EOF or another block's start came first."""
        while True:
            self.skip_trivia()
            tok = self.peek()
            if tok.kind is Tok.RBRACE:
                self.advance()
                return True
            if tok.kind is Tok.EOF or self.at_block_start(self.pos):
                self.error(keyword, _unclosed_message(keyword, name, self.interrupter()))
                return False
            self.parse_member(kind, members)
            if self.peek().kind is Tok.COMMENT:  # one trailing comment
                self.advance()
            end = self.peek()
            if end.kind not in (Tok.NEWLINE, Tok.EOF):
                raise Failure(end, f"expected end of line, found {describe(end)}")

    def interrupter(self) -> str:
        """What stopped an unclosed block: the next block or the end of input."""
        tok = self.peek()
        if tok.kind is Tok.EOF:
            last = self.toks[-2] if len(self.toks) > 1 else tok
            return f"the end of input at line {last.line}"
        head = self.header(self.pos)
        label = f"{head.keyword.text} {head.name.text}" if head else tok.text
        return f"{label} at line {tok.line}"

    def parse_member(self, kind: BlockKind, members: _Members) -> None:
        tok = self.peek()
        if tok.kind is Tok.ATAT and kind not in (BlockKind.DATASOURCE, BlockKind.GENERATOR):
            members.attributes.append(self.parse_attribute())
        elif tok.kind is not Tok.IDENT:
            raise Failure(tok, f"expected {_MEMBER_WHAT[kind]}, found {describe(tok)}")
        elif kind in (BlockKind.DATASOURCE, BlockKind.GENERATOR):
            members.properties.append(self.parse_property())
        elif kind is BlockKind.ENUM:
            members.values.append(self.parse_enum_value())
        else:
            members.fields.append(self.parse_field())

    def recover(self, failure: Failure, keyword: Token, name: str, body_start: int | None) -> None:
        """Record ``failure`` and skip to the end of the broken block.

        The scan restarts at the first token of the failing line (but inside the
        body), so a ``model B {`` line that an unclosed argument list swallowed
        still starts block B. It stops before a block start, or after the brace
        that balances the block's own ``{``, or at EOF.
        """
        if failure.token.kind is Tok.EOF and body_start is not None:
            self.error(keyword, _unclosed_message(keyword, name, self.interrupter()))
        else:
            self.error(failure.token, f"{failure.message} (in {keyword.text} {name or '?'})")
        self.pos = self.line_start_index(self.pos, floor=body_start if body_start is not None else self.pos)
        depth = 0 if body_start is None else 1
        while self.peek().kind is not Tok.EOF and not self.at_block_start(self.pos):
            tok = self.advance()
            depth += {Tok.LBRACE: 1, Tok.RBRACE: -1}.get(tok.kind, 0)
            if tok.kind is Tok.RBRACE and depth <= 0:
                return

    def line_start_index(self, i: int, floor: int) -> int:
        while i > floor and self.toks[i - 1].kind is not Tok.NEWLINE:
            i -= 1
        return i

    # members

    def parse_field(self) -> Field:
        """``name Type[]? @attr...``: the type may be ``Unsupported("...")``
        (no blank before the ``(``, none inside the ``[]``)."""
        name = self.advance()
        type_tok = self.expect(Tok.IDENT, f"a type for field {name.text}")
        type_arg = None
        if type_tok.text == "Unsupported" and self.glued(type_tok, Tok.LPAREN):
            self.advance()
            type_arg = self.string(self.expect(Tok.STRING, "a string in Unsupported(...)"))
            self.expect(Tok.RPAREN, "')' after Unsupported(\"...\"")
        is_list = self.peek().kind is Tok.LBRACKET
        if is_list:
            opener = self.advance()
            if not self.glued(opener, Tok.RBRACKET):
                raise Failure(self.peek(), f"expected ']' right after '[' in a list type, "
                                           f"found {describe(self.peek())}")
            self.advance()
        optional = self.peek().kind is Tok.QUESTION
        if optional:
            self.advance()
        return Field(name=name.text, type=type_tok.text, line=name.line, col=name.col,
                     optional=optional, is_list=is_list, type_arg=type_arg,
                     attributes=self.parse_field_attributes())

    def parse_field_attributes(self) -> tuple[Attribute, ...]:
        attributes = []
        while self.peek().kind is Tok.AT:
            attributes.append(self.parse_attribute())
        return tuple(attributes)

    def parse_enum_value(self) -> EnumValue:
        name = self.advance()
        return EnumValue(name=name.text, line=name.line, col=name.col,
                         attributes=self.parse_field_attributes())

    def parse_property(self) -> Property:
        key = self.advance()
        self.expect(Tok.EQUALS, f"'=' after {key.text}")
        return Property(key=key.text, value=self.parse_expr(0), line=key.line, col=key.col)


_MEMBER_WHAT = {
    BlockKind.MODEL: "a field or '@@' attribute",
    BlockKind.VIEW: "a field or '@@' attribute",
    BlockKind.TYPE: "a field",
    BlockKind.ENUM: "an enum value or '@@' attribute",
    BlockKind.DATASOURCE: "a 'key = value' line",
    BlockKind.GENERATOR: "a 'key = value' line",
}


def _unclosed_message(keyword: Token, name: str, interrupter: str) -> str:
    return (f"expected '}}' to close {keyword.text} {name} (opened at line {keyword.line}) "
            f"before {interrupter}")
