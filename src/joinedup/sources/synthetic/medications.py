"""Medicines issued: anticoagulants, antiplatelets and antihypertensives, as dm+d repeat issues.

Why: the AF programme counts a patient as treated when a DOAC or VKA was issued in the last six
months, and primary care issues them as repeat prescriptions. So each anticoagulated patient gets
one product, issued every 28 or 56 days through each course of treatment. Courses run over the
last `history_years` (not only the last 12 months), so the measure at any earlier date sees who
was treated then (`joinedup progress`):

* Recorded AF with CHA2DS2-VASc >= 2: a practice-varying treated share (mean 88%; the practice
  spread of Adderley 2019; a small deprivation gap from CVDPREVENT CVDP002AF), moving over time
  as the scenario says (`_eligible_courses`). Scores 1 and 0 are treated at the Adderley 2016
  moderate and low risk rates. DOACs make up 85%.
* Untreated eligible patients: some stopped within the history (their course ends more than six
  months before their end date), some declined (a PCA in the last 12 months), some have a
  contraindication recorded.
* Most people with AF on a VKA have a reason a DOAC is unsuitable recorded (QOF AF008 counts a
  VKA only then); CHA2DS2-VASc scores are recorded for most of the AF register (AF008's
  denominator is the latest recorded score).
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
from joinedup.sources.synthetic.sampling import (
    blocked_uniforms,
    expand,
    practice_shares,
    uniform_days,
)
from joinedup.sources.synthetic.scenario import Trend

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
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


STOP_TO_UNTREATED_DAYS = 183
"""A stopped course's last issue lies this far before the day the patient no longer counts as
treated (the AF rule looks back six months)."""
HALF_INTERVAL = 20
"""About half the mean gap between issues: a stopped course's issues run to this many days past
its nominal end, so that on average the patient stops counting as treated on the day tau."""
NEVER_DAY = np.iinfo(np.int64).max // 2


def course_issues(
    ctx: Context,
    rng: np.random.Generator,
    who: IntArray,
    code: IntArray,
    start: IntArray,
    stop: IntArray,
    ongoing_before: npt.NDArray[np.bool_],
) -> None:
    """Issues every 28 or 56 days from `start` to `stop` (rows with start > stop are skipped).

    A course that was already running when the history begins (`ongoing_before`) starts at a
    random point of its cycle, so issues do not all fall on the same day.
    """
    keep = start <= stop
    who, code, start, stop = who[keep], code[keep], start[keep], stop[keep]
    if who.shape[0] == 0:
        return
    interval = np.where(rng.random(who.shape[0]) < ctx.rates.scalar("issue_28_day_share"), 28, 56)
    phase = np.floor(rng.random(who.shape[0]) * interval).astype(np.int64)
    first = np.where(ongoing_before[keep] & (start + phase <= stop), start + phase, start)
    count = (stop - first) // interval + 1
    owner, k = expand(count)
    ctx.medications.add(who[owner], first[owner] + k * interval[owner], code[owner])


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
    _recorded_scores(ctx, ctx.rng("af_scores"), conditions)
    _antiplatelets(ctx, rng, conditions, on_anticoagulant)
    _antihypertensives(ctx, rng, conditions)


def _anticoagulants(ctx: Context, rng: np.random.Generator, c: Conditions) -> BoolArray:
    """Anticoagulant courses and PCAs; returns who is on an anticoagulant on their last day."""
    pop, rates = ctx.population, ctx.rates
    n = len(pop)
    n_practices = len(ctx.footprint.practice_codes)
    eligible = c.af_register & (c.score >= 2)
    weights = np.bincount(pop.practice[eligible], minlength=n_practices).astype(float)

    def draw() -> Trend:
        share = practice_shares(
            rng,
            rates.scalar("oac_treated_mean"),
            rates.scalar("oac_practice_sd_logit"),
            practice_offsets(rates, "oac_treated", practice_quintile(pop, n_practices)),
            weights,
        )
        return ctx.change.trend("oac_treated", share, weights)

    trend = ctx.practice_draws.once("oac_treated", draw)
    u = rng.random(n)
    # Eligible patients' draws are stratified among those whose practices move alike, so the
    # treated share at every date is close to the scenario's even in a small footprint.
    patients = np.flatnonzero(eligible)
    middle = ctx.reference - round(ctx.change.scenario.years * dates.DAYS_PER_YEAR / 2)
    u[patients] = blocked_uniforms(
        rng, trend.at(pop.practice[patients], np.full(patients.shape[0], middle))
    )
    since = trend.since(pop.practice, u)  # eligible and on treatment from this day
    treated = eligible & (since <= pop.end)
    treated |= c.af_register & (c.score == 1) & (u < rates.scalar("oac_score1_share"))
    treated |= c.af_register & (c.score == 0) & (u < rates.scalar("oac_score0_share"))

    undiagnosed = c.af_true & ~c.af_coded
    undiagnosed &= rng.random(n) < rates.scalar("undiagnosed_af_on_oac_share")
    other = ~c.af_true & ~c.af_coded & (pop.age >= 40)
    other &= rng.random(n) < rates.scalar("oac_no_af_rate_40plus")

    on_doac = rng.random(n) < rates.scalar("doac_share")
    product = np.full(n, -1, dtype=np.int64)
    anyone = np.flatnonzero(eligible | treated | undiagnosed | other)
    doac = ctx.codes.picker("doac", DMD).draw(rng, anyone.shape[0])
    vka = ctx.codes.picker("vka", DMD).draw(rng, anyone.shape[0])
    product[anyone] = np.where(on_doac[anyone], doac, vka)
    _doac_unsuitable(ctx, c, anyone[~on_doac[anyone] & c.af_register[anyone]])

    # Everyone anticoagulated but not eligible: one course through the whole history.
    steady = np.flatnonzero((treated & ~eligible) | undiagnosed | other)
    earliest = np.maximum(ctx.change.history_start, pop.birth[steady])
    earliest = np.where(c.af_coded[steady], np.maximum(earliest, c.af_day[steady]), earliest)
    course_issues(
        ctx,
        rng,
        steady,
        product[steady],
        earliest,
        pop.end[steady],
        earliest <= ctx.change.history_start,
    )
    _eligible_courses(ctx, rng, c, patients, u[patients], trend, product)

    untreated = np.flatnonzero(eligible & ~treated)
    end = pop.end[untreated]
    af_day = c.af_day[untreated]
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


def _doac_unsuitable(ctx: Context, c: Conditions, on_vka: IntArray) -> None:
    """A DOAC-unsuitable reason for a share of people on the AF register whose anticoagulant is
    a VKA (`vka_doac_unsuitable_share`), so QOF AF008 counts their VKA as treatment. Recorded on
    the day of the AF diagnosis, or the history start if earlier, so it is there whenever the
    VKA is; the code comes from the `doac_unsuitable` codelist (what it holds: SOURCES.md)."""
    rng = ctx.rng("doac_unsuitable")
    who = on_vka[rng.random(on_vka.shape[0]) < ctx.rates.scalar("vka_doac_unsuitable_share")]
    day = np.minimum(np.maximum(c.af_day[who], ctx.change.history_start), ctx.population.end[who])
    ctx.events.add(who, day, ctx.codes.picker("doac_unsuitable").draw(rng, who.shape[0]))


def _recorded_scores(ctx: Context, rng: np.random.Generator, c: Conditions) -> None:
    """A recorded CHA2DS2-VASc score for a share of people on the AF register (QOF AF008's
    denominator uses the latest recorded score), entered within 90 days of the AF diagnosis
    (not after the patient's last day) with the score computed at their end date."""
    pop = ctx.population
    on_register = np.flatnonzero(c.af_register)
    chosen = rng.random(on_register.shape[0]) < ctx.rates.scalar("af_score_recorded_share")
    who = on_register[chosen]
    first = np.maximum(c.af_day[who], ctx.change.history_start)
    day = uniform_days(rng, np.minimum(first, pop.end[who]), np.minimum(first + 90, pop.end[who]))
    code = ctx.codes.picker("cha2ds2vasc_score").draw(rng, who.shape[0])
    ctx.events.add(who, day, code, c.score[who].astype(np.float64))


def _eligible_courses(
    ctx: Context,
    rng: np.random.Generator,
    c: Conditions,
    who: IntArray,
    draw: FloatArray,
    trend: Trend,
    product: IntArray,
) -> None:
    """Courses for eligible patients that give the scenario's treated share at every date.

    Each patient's state is "on treatment from the day the practice's share first exceeds their
    uniform `draw`" (`Trend.since`), so at any date the treated share is the scenario's.
    Stopping and starting happen too, in pairs that keep the count treated at every date: a
    share (`oac_stopped_share`) of those untreated on their last day are paired with treated
    patients of practices that move alike, and the two swap draws before a day tau within the
    history. The untreated one was on before tau and stopped (last issue about six months
    before tau); the treated one was off and started at tau. Nobody is treated before their AF
    diagnosis.
    """
    pop, history = ctx.population, ctx.change.history_start
    practice, end = pop.practice[who], pop.end[who]
    earliest = np.maximum(np.maximum(history, c.af_day[who]), pop.birth[who])
    new = trend.since(practice, draw)
    on_end = new <= end
    old_draw, tau, switch = _swapped_draws(ctx, rng, who, draw, on_end, trend, earliest)
    old = np.where(switch, trend.since(practice, old_draw), new)
    old_on = switch & (old <= tau)
    continuing = old_on & (new <= tau)
    stopped = old_on & ~continuing

    # The course running on the last day (if any) and the course that stopped at tau (if any).
    current_start = np.where(~switch, new, np.where(continuing, old, np.maximum(new, tau)))
    current_start = np.maximum(current_start, earliest)
    past_start = np.maximum(old, earliest)
    past_stop = np.minimum(tau - STOP_TO_UNTREATED_DAYS + HALF_INTERVAL, end - 184)
    rows = np.concatenate([np.flatnonzero(on_end), np.flatnonzero(stopped)])
    starts = np.concatenate([current_start[on_end], past_start[stopped]])
    stops = np.concatenate([end[on_end], past_stop[stopped]])
    course_issues(
        ctx,
        rng,
        who[rows],
        product[who[rows]],
        starts,
        stops,
        starts <= history,
    )


def _swapped_draws(
    ctx: Context,
    rng: np.random.Generator,
    who: IntArray,
    draw: FloatArray,
    on_end: BoolArray,
    trend: Trend,
    earliest: IntArray,
) -> tuple[FloatArray, IntArray, BoolArray]:
    """(draw before tau, tau, switches) for the eligible patients `who` (see _eligible_courses).

    Pairs are matched in an order that keeps practices whose shares move alike together: the
    k-th chosen untreated patient takes the treated patient at the same quantile of that order.
    """
    pop = ctx.population
    m = int(who.shape[0])
    practice, end = pop.practice[who], pop.end[who]
    middle = ctx.reference - round(ctx.change.scenario.years * dates.DAYS_PER_YEAR / 2)
    key = trend.at(practice, np.full(m, middle))
    order = np.lexsort((rng.random(m), practice, key))
    rank = np.empty(m, dtype=np.int64)
    rank[order] = np.arange(m)
    untreated = np.flatnonzero(~on_end)
    stopper = untreated[rng.random(untreated.shape[0]) < ctx.rates.scalar("oac_stopped_share")]
    treated = np.flatnonzero(on_end)
    old_draw = draw.copy()
    tau = np.full(m, NEVER_DAY, dtype=np.int64)
    switch = np.zeros(m, dtype=bool)
    if stopper.shape[0] == 0 or treated.shape[0] < stopper.shape[0]:
        return old_draw, tau, switch
    stopper = stopper[np.argsort(rank[stopper])]
    treated = treated[np.argsort(rank[treated])]
    quantile = (np.arange(stopper.shape[0]) + 0.5) * treated.shape[0] / stopper.shape[0]
    starter = treated[quantile.astype(np.int64)]
    lo = np.maximum(earliest[stopper], earliest[starter])
    hi = np.minimum(end[stopper], end[starter])
    fits = lo <= hi
    stopper, starter, lo, hi = stopper[fits], starter[fits], lo[fits], hi[fits]
    day = uniform_days(rng, lo, hi)
    old_draw[stopper], old_draw[starter] = draw[starter], draw[stopper]
    tau[stopper], tau[starter] = day, day
    switch[stopper], switch[starter] = True, True
    return old_draw, tau, switch


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
