"""The cash-application engine: proposes which open invoices a receipt settles.

It tries, in order: the invoice references in the remittance (or the memo), an exact amount
against one open invoice of the payer, a combination of the payer's open invoices adding up to
the amount, and finally an invoice within the configured tolerance. Each proposal carries a
confidence from 0 to 1 and the reasons in words; at or above the threshold it is automatic.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from services.payments.domain.matching.combinations import combinations_summing_to
from services.payments.domain.matching.index import (
    LOOSE_READINGS,
    REFERENCE_SCORES,
    REFERENCE_WORDS,
    InvoiceIndex,
)
from services.payments.domain.matching.model import (
    MatchingPolicy,
    OpenInvoice,
    Proposal,
    ProposedApplication,
    Receipt,
    RemittanceRef,
)
from services.payments.domain.matching.payers import Identification, PayerDirectory
from shared.money import minor_unit

# Confidence of each way of matching, before the payer's identification is weighed in.
AMOUNT_MATCH = 0.97
COMBINATION_MATCH = 0.95
TOLERANCE_MATCH = 0.8
AMBIGUOUS = 0.5
UNKNOWN_PAYER_AMOUNT = 0.6
SHORT_PAY = 0.95
NO_AMOUNT_GIVEN = 0.93


@dataclass(frozen=True, slots=True)
class _Agreement:
    exact: bool  # the amount settles the invoice (with its discount, if earned)
    amount: Decimal
    discount: Decimal
    confidence_factor: float  # scales the reference score; a weight, not money
    words: str
    reason_code: str | None = None


def _discount_earned(invoice: OpenInvoice, receipt: Receipt) -> Decimal | None:
    if (
        invoice.discount_amount
        and invoice.discount_due_date
        and receipt.received_on <= invoice.discount_due_date
    ):
        return invoice.discount_amount
    return None


class CashApplicationEngine:
    """Pure and in memory: the open invoices, the payer directory and the policy are given."""

    def __init__(
        self, invoices: Iterable[OpenInvoice], payers: PayerDirectory, policy: MatchingPolicy
    ) -> None:
        self.index = InvoiceIndex(invoices)
        self.payers = payers
        self.policy = policy

    def propose(self, receipt: Receipt) -> Proposal:
        identified = self._identify(receipt)
        intro = (
            [f"Payer recognised by {identified.how}."] if identified else ["Payer not recognised."]
        )
        lines = receipt.references()
        proposal = self._by_references(receipt, lines, identified) if lines else None
        if proposal is None or not proposal.applications:
            unmatched = proposal.unmatched_references if proposal else []
            proposal = (
                self._by_amount(receipt, identified)
                or self._by_combination(receipt, identified)
                or self._within_tolerance(receipt, identified)
                or Proposal(
                    receipt,
                    identified.customer_id if identified else None,
                    [],
                    0.0,
                    ["No open invoice matches the references, the amount or a combination."],
                )
            )
            proposal.unmatched_references = unmatched
            if unmatched and proposal.applications:
                # The payer named invoices that are not open (paid already, or not ours): an
                # amount that happens to fit another invoice is no proof of what was meant.
                proposal.confidence = min(proposal.confidence, AMBIGUOUS)
                proposal.explanation.append(
                    f"The remittance names {', '.join(unmatched)}, not open: a person checks."
                )
        proposal.explanation = intro + proposal.explanation
        if proposal.left_unapplied > 0 and proposal.applications:
            proposal.explanation.append(f"{proposal.left_unapplied} stays unapplied on account.")
        proposal.automatic = bool(proposal.applications) and (
            proposal.confidence >= float(self.policy.auto_apply_threshold)
        )
        return proposal

    def commit(self, proposal: Proposal) -> None:
        """Record that the proposal was applied, so later receipts see the new balances."""
        for application in proposal.applications:
            self.index.settle(application.invoice.id, application.amount + application.discount)

    def _identify(self, receipt: Receipt) -> Identification | None:
        if receipt.customer_id:
            return Identification(receipt.customer_id, 1.0, "the customer given with the payment")
        return self.payers.identify(receipt.payer_name, receipt.payer_account)

    def _agreement(
        self, invoice: OpenInvoice, paid: Decimal | None, line: RemittanceRef, receipt: Receipt
    ) -> _Agreement:
        balance = self.index.balance(invoice.id)
        if paid is None:
            return _Agreement(
                False, balance, Decimal(0), NO_AMOUNT_GIVEN, "no amount given; its open balance"
            )
        earned = _discount_earned(invoice, receipt)
        if paid == balance:
            return _Agreement(True, paid, Decimal(0), 1.0, f"{paid} equals its open balance")
        if earned is not None and paid + earned == balance and balance == invoice.balance:
            return _Agreement(
                True,
                paid,
                earned,
                1.0,
                f"{paid} is its balance less the {earned} early-payment discount",
            )
        if paid < balance:
            return _Agreement(
                False,
                paid,
                Decimal(0),
                SHORT_PAY,
                f"{paid} is short of its balance {balance}; the rest stays open",
                line.reason_code or "short_paid",
            )
        if balance < (invoice.total if invoice.total is not None else invoice.balance):
            # A line paying more than is left of a part-paid invoice is, far more often than an
            # overpayment, the same remittance sent again: a person decides.
            return _Agreement(
                False,
                balance,
                Decimal(0),
                AMBIGUOUS,
                f"{paid} is more than its balance {balance}, and it was already part paid: "
                "the same remittance again?",
            )
        return _Agreement(
            False, balance, Decimal(0), 0.9, f"{paid} is more than its balance {balance}"
        )

    def _match_line(
        self,
        line: RemittanceRef,
        paid: Decimal | None,
        receipt: Receipt,
        customer_id: uuid.UUID | None,
    ) -> tuple[ProposedApplication, float, str] | None:
        def eligible(invoice: OpenInvoice) -> bool:
            return invoice.currency == receipt.currency and customer_id in (
                None,
                invoice.customer_id,
            )

        hits = self.index.find(line.invoice_ref or "", eligible, paid)
        if not hits:
            return None
        scored = []
        for hit in hits:
            agreement = self._agreement(hit.invoice, paid, line, receipt)
            scored.append(
                (
                    agreement.exact,
                    REFERENCE_SCORES[hit.kind] * agreement.confidence_factor,
                    hit,
                    agreement,
                )
            )
        scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
        exact, confidence, hit, agreement = scored[0]
        loose = hit.kind in LOOSE_READINGS
        # Rivals: readings as strict, agreeing as well with the amount, and about as sure.
        rivals = [
            s
            for s in scored[1:]
            if s[0] == exact
            and s[1] >= confidence - 0.05
            and (s[2].kind in LOOSE_READINGS) == loose
        ]
        words = (
            f"Reference {line.invoice_ref!r} read as invoice {hit.invoice.number} "
            f"{REFERENCE_WORDS[hit.kind]}; {agreement.words}."
        )
        if not exact and (loose or customer_id is None):
            # A loose reading, or an unknown payer, needs the amount to back the reference.
            confidence = min(confidence, 0.6)
        if loose and customer_id is None:
            confidence *= 0.95
        if loose:  # the payer wrote another invoice's number exactly: which did it mean?
            rivals += [s for s in scored if s[2].kind not in LOOSE_READINGS]
        if rivals:
            confidence = min(confidence, AMBIGUOUS)
            words += f" It could also be {', '.join(s[2].invoice.number for s in rivals)}."
        application = ProposedApplication(
            hit.invoice,
            agreement.amount,
            agreement.discount,
            agreement.reason_code,
            line.invoice_ref,
        )
        return application, confidence, words

    def _by_references(
        self, receipt: Receipt, lines: list[RemittanceRef], identified: Identification | None
    ) -> Proposal:
        customer_id = identified.customer_id if identified else None
        applications: list[ProposedApplication] = []
        confidences: list[float] = []
        explanation: list[str] = []
        unmatched: list[str] = []
        amounts_given = any(line.amount is not None for line in lines)
        for line in lines:
            paid = (
                line.amount
                if line.amount is not None
                else (receipt.amount if len(lines) == 1 else None)
            )
            matched = self._match_line(line, paid, receipt, customer_id)
            if matched is None or any(a.invoice.id == matched[0].invoice.id for a in applications):
                unmatched.append(line.invoice_ref or "")
                explanation.append(
                    f"Reference {line.invoice_ref!r} matches no open invoice; it waits for review."
                )
                continue
            applications.append(matched[0])
            confidences.append(matched[1])
            explanation.append(matched[2])
        total = sum((a.amount for a in applications), Decimal(0))
        if applications and not amounts_given and len(lines) > 1 and total == receipt.amount:
            confidences = [min(1.0, c / NO_AMOUNT_GIVEN) for c in confidences]
            explanation.append(f"Their open balances add up to the {receipt.amount} paid.")
        confidence = min(confidences, default=0.0)
        if total > receipt.amount:
            applications = self._fit(applications, receipt.amount)
            confidence = min(confidence, AMBIGUOUS)
            explanation.append(
                f"The remittance accounts for {total}, more than the {receipt.amount} paid."
            )
        if len({a.invoice.customer_id for a in applications}) > 1:
            confidence = min(confidence, AMBIGUOUS)
            explanation.append("The invoices belong to different customers.")
        owner = customer_id or (applications[0].invoice.customer_id if applications else None)
        return Proposal(receipt, owner, applications, confidence, explanation, unmatched)

    @staticmethod
    def _fit(
        applications: list[ProposedApplication], available: Decimal
    ) -> list[ProposedApplication]:
        fitted = []
        for application in applications:
            if available <= 0:
                break
            amount = min(application.amount, available)
            discount = application.discount if amount == application.amount else Decimal(0)
            fitted.append(
                ProposedApplication(
                    application.invoice,
                    amount,
                    discount,
                    application.reason_code,
                    application.reference,
                )
            )
            available -= amount
        return fitted

    def _payer_invoices(self, receipt: Receipt, identified: Identification) -> list[OpenInvoice]:
        invoices = [
            i
            for i in self.index.of_customer(identified.customer_id)
            if i.currency == receipt.currency
        ]
        return sorted(invoices, key=lambda i: (i.invoice_date, i.number))

    def _by_amount(self, receipt: Receipt, identified: Identification | None) -> Proposal | None:
        if identified is None:
            pool = [
                i for i in self.index.with_balance(receipt.amount) if i.currency == receipt.currency
            ]
        else:
            pool = self._payer_invoices(receipt, identified)
        hits = []
        for invoice in pool:
            agreement = self._agreement(invoice, receipt.amount, RemittanceRef(None), receipt)
            if agreement.exact:
                hits.append((invoice, agreement))
        if not hits:
            return None
        invoice, agreement = hits[0]
        application = ProposedApplication(invoice, agreement.amount, agreement.discount)
        words = (
            f"{receipt.amount} settles exactly one open invoice, "
            f"{invoice.number}: {agreement.words}."
        )
        if identified is None:
            confidence = UNKNOWN_PAYER_AMOUNT if len(hits) == 1 else AMBIGUOUS * 0.8
            words = (
                f"{receipt.amount} equals the balance of {invoice.number}, "
                "but the payer is unknown."
            )
        elif len(hits) == 1:
            confidence = AMOUNT_MATCH * identified.confidence
        else:
            confidence = AMBIGUOUS
            words = (
                f"{receipt.amount} settles {len(hits)} open invoices; "
                f"the oldest is {invoice.number}."
            )
        return Proposal(receipt, invoice.customer_id, [application], confidence, [words])

    def _by_combination(
        self, receipt: Receipt, identified: Identification | None
    ) -> Proposal | None:
        if identified is None:
            return None
        unit = minor_unit(receipt.currency)
        pool = [
            i
            for i in self._payer_invoices(receipt, identified)
            if self.index.balance(i.id) < receipt.amount
        ]
        pool = pool[: self.policy.max_combination_candidates]
        values = [int(self.index.balance(i.id) / unit) for i in pool]
        found = combinations_summing_to(
            values, int(receipt.amount / unit), max_size=self.policy.max_combination_size
        )
        if not found:
            return None
        chosen = [pool[i] for i in found[0]]
        numbers = " + ".join(i.number for i in chosen)
        if len(found) == 1:
            confidence = COMBINATION_MATCH * identified.confidence
            words = (
                f"{receipt.amount} is the sum of exactly one combination "
                f"of open invoices: {numbers}."
            )
        else:
            confidence = AMBIGUOUS
            words = (
                f"{receipt.amount} is the sum of several combinations "
                f"of open invoices; the oldest is {numbers}."
            )
        applications = [ProposedApplication(i, self.index.balance(i.id)) for i in chosen]
        return Proposal(receipt, identified.customer_id, applications, confidence, [words])

    def _within_tolerance(
        self, receipt: Receipt, identified: Identification | None
    ) -> Proposal | None:
        if identified is None:
            return None
        tolerance = self.policy.amount_tolerance
        close = [
            i
            for i in self._payer_invoices(receipt, identified)
            if abs(self.index.balance(i.id) - receipt.amount) <= tolerance
        ]
        if not close:
            return None
        invoice = min(close, key=lambda i: abs(self.index.balance(i.id) - receipt.amount))
        balance = self.index.balance(invoice.id)
        amount = min(balance, receipt.amount)
        words = (
            f"{receipt.amount} is within the {tolerance} tolerance of {invoice.number}'s balance "
            f"{balance}; {balance - amount} would stay open."
        )
        confidence = TOLERANCE_MATCH * identified.confidence if len(close) == 1 else AMBIGUOUS
        reason = "short_paid" if amount < balance else None
        return Proposal(
            receipt,
            identified.customer_id,
            [ProposedApplication(invoice, amount, reason_code=reason)],
            confidence,
            [words],
        )
