"""Medicines issued: anticoagulants, antiplatelets and antihypertensives, as dm+d repeat issues.

Why: the AF programme counts a patient as treated when a DOAC or VKA was issued in the last six
months, and primary care issues them as repeat prescriptions. So each treated patient gets one
product, issued every 28 or 56 days over the 12 months before their end date (or since diagnosis):

* Recorded AF with CHA2DS2-VASc >= 2: a practice-varying treated share (mean 88%; the practice
  spread of Adderley 2019; a small deprivation gap from CVDPREVENT CVDP002AF). Scores 1 and 0
  are treated at the Adderley 2016 moderate and low risk rates. DOACs make up 85%.
* Untreated eligible patients: some stopped more than six months ago, some declined (a PCA in
  the last 12 months), some have a contraindication recorded.
* Case-finding signals: a few people with undiagnosed AF, and a few without AF (venous
  thromboembolism), are on an anticoagulant with no AF code.
* Antiplatelets for some with AF and for vascular disease; antihypertensives for most of the
  hypertension register (a second drug for some).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from joinedup.domain.codelists import CodeSystem
from joinedup.sources.synthetic import dates
from joinedup.sources.synthetic.codes import Picker
from joinedup.sources.synthetic.conditions import (
    NO_DAY,
    Conditions,
    practice_offsets,
    practice_quintile,
)
from joinedup.sources.synthetic.records import Context
from joinedup.sources.synthetic.sampling import expand, practice_shares, uniform_days

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DMD = CodeSystem.DMD


def repeat_issues(
    ctx: Context,
    rng: np.random.Generator,
    who: IntArray,
    code: IntArray,
    first: IntArray,
    last: IntArray,
) -> None:
    """One product per patient (`code`) issued every 28 or 56 days, back from `last` to `first`."""
    if who.shape[0] == 0:
        return
    interval = np.where(rng.random(who.shape[0]) < ctx.rates.scalar("issue_28_day_share"), 28, 56)
    last = np.maximum(last, first)
    count = (last - first) // interval + 1
    owner, k = expand(count)
    ctx.medications.add(who[owner], last[owner] - k * interval[owner], code[owner])


def current_issues(
    ctx: Context, rng: np.random.Generator, who: IntArray, code: IntArray, since: IntArray
) -> None:
    """Issues over the 12 months up to each patient's end date, not before `since`."""
    end = ctx.population.end[who]
    last = end - np.floor(rng.random(who.shape[0]) * 28).astype(np.int64)
    first = np.minimum(np.maximum(end - dates.years(1) + 1, since), end)
    repeat_issues(ctx, rng, who, code, first, np.maximum(last, first))


def another_code(picker: Picker, rng: np.random.Generator, taken: IntArray) -> IntArray:
    """A code from `picker` for each row that differs from `taken` (a second, different drug)."""
    code = picker.draw(rng, taken.shape[0])
    same = code == taken
    if picker.indices.shape[0] > 1 and same.any():
        ordered = np.sort(picker.indices)
        position = np.searchsorted(ordered, code[same])
        code[same] = ordered[(position + 1) % ordered.shape[0]]
    return code


def generate_medications(ctx: Context, conditions: Conditions) -> None:
    rng = ctx.rng("medications")
    on_anticoagulant = _anticoagulants(ctx, rng, conditions)
    _antiplatelets(ctx, rng, conditions, on_anticoagulant)
    _antihypertensives(ctx, rng, conditions)


def _anticoagulants(ctx: Context, rng: np.random.Generator, c: Conditions) -> BoolArray:
    """Anticoagulant issues and PCAs; returns who is on an anticoagulant now."""
    pop, rates = ctx.population, ctx.rates
    n = len(pop)
    n_practices = len(ctx.footprint.practice_codes)
    eligible = c.af_register & (c.score >= 2)
    share = practice_shares(
        rng,
        rates.scalar("oac_treated_mean"),
        rates.scalar("oac_practice_sd_logit"),
        practice_offsets(rates, "oac_treated", practice_quintile(pop, n_practices)),
        np.bincount(pop.practice[eligible], minlength=n_practices).astype(float),
    )
    u = rng.random(n)
    treated = eligible & (u < share[pop.practice])
    treated |= c.af_register & (c.score == 1) & (u < rates.scalar("oac_score1_share"))
    treated |= c.af_register & (c.score == 0) & (u < rates.scalar("oac_score0_share"))

    undiagnosed = c.af_true & ~c.af_coded
    undiagnosed &= rng.random(n) < rates.scalar("undiagnosed_af_on_oac_share")
    other = ~c.af_true & ~c.af_coded & (pop.age >= 40)
    other &= rng.random(n) < rates.scalar("oac_no_af_rate_40plus")

    doac = ctx.codes.picker("doac", DMD)
    vka = ctx.codes.picker("vka", DMD)
    on_doac = rng.random(n) < rates.scalar("doac_share")
    since = np.where(c.af_day != NO_DAY, c.af_day, pop.end - dates.years(1) + 1)
    for group in (treated, undiagnosed, other):
        for chosen, picker in ((on_doac, doac), (~on_doac, vka)):
            who = np.flatnonzero(group & chosen)
            current_issues(ctx, rng, who, picker.draw(rng, who.shape[0]), since[who])

    untreated = np.flatnonzero(eligible & ~treated)
    end = pop.end[untreated]
    af_day = c.af_day[untreated]
    # Stopped: issued for a while, the last issue 7-24 months ago, after the AF diagnosis.
    stopped = rng.random(untreated.shape[0]) < rates.scalar("oac_stopped_share")
    last = end - 200 - np.floor(rng.random(untreated.shape[0]) * 530).astype(np.int64)
    first = np.maximum(last - 90 - np.floor(rng.random(untreated.shape[0]) * 275), af_day)
    ok = stopped & (last >= af_day)
    kind = on_doac[untreated]
    for chosen, picker in ((kind, doac), (~kind, vka)):
        pick = ok & chosen
        code = picker.draw(rng, int(pick.sum()))
        repeat_issues(ctx, rng, untreated[pick], code, first[pick].astype(np.int64), last[pick])

    declined = rng.random(untreated.shape[0]) < rates.scalar("pca_declined_share")
    lo = np.maximum(end - dates.years(1) + 1, af_day)
    who = untreated[declined]
    day = uniform_days(rng, np.minimum(lo[declined], end[declined]), end[declined])
    ctx.events.add(who, day, ctx.codes.picker("anticoag_declined").draw(rng, who.shape[0]))

    contra = rng.random(untreated.shape[0]) < rates.scalar("pca_contraindicated_share")
    who = untreated[contra]
    day = uniform_days(rng, af_day[contra], end[contra])
    ctx.events.add(who, day, ctx.codes.picker("anticoag_contraindicated").draw(rng, who.shape[0]))
    return treated | undiagnosed | other


def _antiplatelets(
    ctx: Context, rng: np.random.Generator, c: Conditions, on_oac: BoolArray
) -> None:
    pop, rates = ctx.population, ctx.rates
    n = len(pop)
    u = rng.random(n)
    chosen = c.af_register & ~on_oac & (u < rates.scalar("antiplatelet_af_untreated"))
    chosen |= c.af_register & on_oac & (u < rates.scalar("antiplatelet_af_treated"))
    vascular = c.coded["vascular_disease"] & ~c.af_register
    chosen |= vascular & (u < rates.scalar("antiplatelet_vascular"))
    who = np.flatnonzero(chosen)
    since = np.where(
        c.day["vascular_disease"][who] != NO_DAY,
        c.day["vascular_disease"][who],
        np.maximum(c.af_day[who], pop.end[who] - dates.years(1) + 1),
    )
    code = ctx.codes.picker("antiplatelet", DMD).draw(rng, who.shape[0])
    current_issues(ctx, rng, who, code, since)


def _antihypertensives(ctx: Context, rng: np.random.Generator, c: Conditions) -> None:
    rates = ctx.rates
    register = np.flatnonzero(c.hypertension_register)
    treated = register[rng.random(register.shape[0]) < rates.scalar("hyp_treated_share")]
    picker = ctx.codes.picker("antihypertensive", DMD)
    since = c.day["hypertension"][treated]
    code = picker.draw(rng, treated.shape[0])
    current_issues(ctx, rng, treated, code, since)
    second = rng.random(treated.shape[0]) < rates.scalar("hyp_second_drug_share")
    other = another_code(picker, rng, code[second])
    current_issues(ctx, rng, treated[second], other, since[second])
