package extractive

import (
	"cmp"
	"slices"
	"strings"
)

// xtrClass is the kind of a status cue.
type xtrClass int

const (
	xtrWeak     xtrClass = iota + 1 // a hope, demand, offer or condition: open
	xtrAgreed                       // a commitment
	xtrRefusal                      // a refusal or failure to commit
	xtrHedge                        // the matter is open whatever else is said
	xtrDisputed                     // a claim contested, an accusation
)

// xtrRule refines a cue by the words around it.
type xtrRule int

const (
	xtrPlain xtrRule = iota
	// xtrNeedsDeal: a commitment only beside an agreement noun: "struck a
	// deal", "welcomed the agreement", "the consensus reached in Geneva",
	// but not "missiles struck the plant".
	xtrNeedsDeal
	// xtrNeedsTruce: a commitment only after a truce noun: "the ceasefire
	// has largely held", but not "held talks".
	xtrNeedsTruce
	// xtrBySubject: "collapsed", "in tatters": disputed when what fails is
	// an agreement ("the truce collapsed"), open when it is talks.
	xtrBySubject
	// xtrByObject: "rejected", "dismissed": disputed when a claim is
	// rejected ("a claim the union rejected"), a refusal when a proposal is.
	xtrByObject
	// xtrNotBefore: no cue before certain words: "signs of".
	xtrNotBefore
	// xtrNotAfter: no cue after certain words: "settle the dispute".
	xtrNotAfter
	// xtrNeedsTopic: a common word ("whether", "won't", "offered") is a cue
	// only in a sentence about something negotiated (a deal, talks, a
	// proposal, a strike, tariffs …), and not in "won't be able", "would
	// not only".
	xtrNeedsTopic
	// xtrDemand: "wants", "urged", "pressed" are cues in a sentence about
	// something negotiated, or when they ask a named party to act: "wants
	// Beijing to open its market", "urged the EU to".
	xtrDemand
	// xtrBreakObject: "broke", "broken", "breaking" dispute an agreement or
	// a promise ("has already broken it", "the truce was broken"), not a
	// keyboard or a trend line.
	xtrBreakObject
	// xtrTruceAfter: disputed before a truce noun: "fighting continued
	// despite the ceasefire".
	xtrTruceAfter
	// xtrVerbOnly: "accused", "alleged" are cues as verbs ("accused Russia
	// of", "alleged that"), not as adjectives before a noun ("accused sex
	// trafficker", "alleged role").
	xtrVerbOnly
	// xtrWithhold: "denied" disputes a claim ("denied that", "denies the
	// accusation"), not when it withholds something ("denying vaccines to
	// migrants", "denied bail").
	xtrWithhold
	// xtrJoint: a pledge or a scheduled act is agreed when parties make it
	// together ("both sides pledged", "the talks will begin", "China and
	// the United States pledged"), a plan (open) when one party makes it
	// about something negotiated ("Trump said a deal signing would take
	// place"), and no cue otherwise ("hibernation would take place").
	xtrJoint
	// xtrDefend: "defended" answers criticism, but not a title or a goal
	// ("defending champion").
	xtrDefend
	// xtrCompliance: a commitment kept beside an agreement noun ("both
	// sides respected the truce"), broken when negated ("failed to honour
	// the deal").
	xtrCompliance
	// xtrDesireNoun: "hope(s)" voices a party's wish as a verb ("Kyiv
	// hopes to", "Trump hopes the talks"), not as a noun, which names a
	// mood rather than a party's position: "hopes of a thaw", "raising
	// hopes that", "their hopes".
	xtrDesireNoun
	// xtrOffence: a breach a court or an authority punished is a reported
	// offence, not a party accusing another: "sentenced to 50 weeks for
	// breaching his bail conditions", "fined for violating the rules".
	xtrOffence
)

type xtrCue struct {
	class xtrClass
	rule  xtrRule
	words []string
}

// An xtrCueRow is one row of the cue table: phrases of one class that
// mean the same thing, and the linguistic reason they signal that class.
// Every row carries its reason (TestCueRowsHaveReasons checks it and counts
// each row's uses in the corpus): no row may rest on one known article.
type xtrCueRow struct {
	class   xtrClass
	reason  string
	phrases string // "|"-separated, lower case
}

// xtrCueRows are the status cues.
var xtrCueRows = []xtrCueRow{
	// Commitments.
	{xtrAgreed, "verbs of agreeing and consenting: a party takes on what was proposed",
		"agreed|agree|agrees|agreeing|in agreement|consensus|accepted|accept|accepts|approved|approve|approves|" +
			"endorsed|endorse|endorses|would support|will support"},
	{xtrAgreed, "signing, ratifying and adopting: the formal acts that make an agreement binding",
		"signed|ratified|ratify|ratifies|adopted|adopts"},
	{xtrAgreed, "verbs of concluding a deal (refined: only beside an agreement noun, see xtrNeedsDeal)",
		"reached|reach|reaches|reaching|struck|sealed|clinched|secured|hammered out|brokered|welcomed|welcomes|" +
			"welcoming|under the|in place|tentative deal|tentative agreement|deal was reached|agreement was reached|" +
			"breakthrough|ended with an agreement|ended with a deal|ended in agreement"},
	{xtrAgreed, "ending a deadlock is reaching agreement",
		"broke the deadlock|broken the deadlock|break the deadlock|broke the impasse|break the impasse"},
	{xtrAgreed, "committing and reaffirming: a party binds itself (a pledge about the future alone is a plan, see the weak rows)",
		"committed to|commit to|commits to|reaffirmed|reaffirm|reaffirms|will abide|would abide|will honour|will honor"},
	{xtrAgreed, "pledges and scheduled acts (refined, see xtrJoint: agreed when parties make them together, " +
		"a plan of one party otherwise)",
		"pledged|promised to|will begin|would begin|will start|would start|will resume|would resume|" +
			"will take place|would take place|will be held|would be held|will sign|would sign|to sign|" +
			"will take effect|would take effect"},
	{xtrAgreed, "an agreement in force: entry-into-force phrases of treaties and deals",
		"into force|in force|into effect|took effect|takes effect"},
	{xtrAgreed, "an agreement that holds (refined: after a truce noun, see xtrNeedsTruce)",
		"held|holding|holds"},
	{xtrAgreed, "compliance verbs: a commitment kept (refined: beside an agreement noun; negated they are a breach)",
		"respected|respecting|respect|respects|observe|observed|observing|complied with|complying with|comply with|" +
			"abided by|abiding by|abide by|honoured|honored|honouring|honoring|honour|honor|adhered to|adhering to|" +
			"follow through|following through|followed through|deliver on|delivered on|delivering on|fulfil|" +
			"fulfill|fulfilled|fulfilling"},
	{xtrAgreed, "French, German and Spanish verbs of agreeing and signing (past forms used in news)",
		"se sont mis d'accord|ont convenu|a convenu|sont convenus|ont accepté|a accepté|ont signé|a signé|accord conclu|" +
			"sont tombés d'accord|einigten sich|geeinigt|vereinbart|vereinbarten|zugestimmt|stimmte zu|stimmten zu|" +
			"unterzeichnet|unterzeichneten|acordaron|acordó|firmaron|firmó|aceptó|aceptaron|alcanzaron un acuerdo|" +
			"llegaron a un acuerdo|hanno firmato|ha firmato|accordo raggiunto|hanno concordato|assinaram|assinou|" +
			"chegaram a um acordo|fecharam acordo"},

	// The matter is open.
	{xtrHedge, "epistemic hedges: the outcome is not known",
		"unclear|not clear|uncertain|remains to be seen|remain to be seen|undecided|unresolved|open question|" +
			"open questions|still open|remains open|remain open|left open|elusive"},
	{xtrHedge, "omissions: the matter was not addressed",
		"no mention|made no mention|not come up|did not come up|didn't come up|not mentioned|was not discussed|" +
			"were not discussed|not mention|not address|not addressed"},
	{xtrHedge, "incompletion: not done yet",
		"yet to|not yet|still needs|still need|still has to|still have to|still must|must still|still requires|" +
			"still require|subject to"},
	{xtrHedge, "stalemate nouns and adjectives: negotiations that do not move",
		"stalled|deadlock|deadlocked|impasse|no agreement|no deal|no decision|sticking point|sticking points|" +
			"little progress|no progress|without progress|without agreement|without an agreement|without a deal|" +
			"without a breakthrough|differences remain|differences remained|gaps remain|gaps remained"},
	{xtrHedge, "postponement and lapse: the matter is put off",
		"postponed|put off|on hold|expired|lapsed|suspended"},
	{xtrHedge, "missing particulars: the terms are not set",
		"no date|no timetable|no timeline|no details|no extension"},
	{xtrHedge, "non-disclosure: a party will not say",
		"not been told|not told|not said|did not say|would not say|will not say|would not comment|would not confirm"},
	{xtrHedge, "nearness: close to but not at an agreement",
		"within reach|close to a deal|close to an agreement|close to agreement|closer to a deal|" +
			"closer to an agreement|near a deal|nearing a deal|nearing an agreement"},
	{xtrHedge, "a vote to come decides the matter",
		"vote on|votes on|voted on|voting on|will vote|would vote"},
	{xtrHedge, "leaving talks: negotiations broken off",
		"walked out|walked away|pulled out|broke off|broken off|withdrew from"},
	{xtrHedge, "bargaining verbs: terms still being fought over",
		"haggling|haggle|wrangling"},
	{xtrHedge, "collapse verbs (refined by subject: failed talks leave the matter open, a failed truce is disputed)",
		"collapsed|collapse|collapses|collapsing|broke down|broken down|break down|breaking down|fell apart|" +
			"fallen apart|falls apart|fell through|unravelled|unraveled|unravelling|unraveling|foundered|frayed|" +
			"fraying|frays"},
	{xtrHedge, "French, German, Spanish, Italian and Portuguese hedges: unclear, not yet, postponed, no agreement",
		"pas clair|incertain|pas encore|reste à|reporté|aucun accord|unklar|noch nicht|keine einigung|bleibt offen|" +
			"vertagt|no está claro|todavía no|aún no|sin acuerdo|pospuesto|non è chiaro|non ancora|rinviato|" +
			"nessun accordo|não está claro|ainda não|adiado|sem acordo"},

	// Refusals leave the matter open.
	{xtrRefusal, "verbs of refusing and declining",
		"declined|declines|decline to|refused|refuses|refuse to|refusing|refusal|turned down|turns down|rebuffed|" +
			"balked|resisted"},
	{xtrRefusal, "failure to act: a commitment not made",
		"failed to|fails to|fail to|failing to"},
	{xtrRefusal, "excluding and blocking: a party prevents the outcome",
		"ruled out|rules out|ruling out|rule out|blocked|blocks|blocking|vetoed|vetoes|voted against|opposed to|opposes"},
	{xtrRefusal, "negated future: a party will not do it (refined: only about something negotiated)",
		"would not|will not|won't|wouldn't|will never|would never"},
	{xtrRefusal, "rejecting (refined by object: rejecting a claim disputes it, rejecting a proposal refuses it)",
		"rejected|rejects|rejecting|rejection|reject|dismissed|dismisses|dismissing"},
	{xtrRefusal, "French, German, Spanish, Italian and Portuguese verbs of refusing",
		"a refusé|ont refusé|refuse de|lehnte ab|lehnten ab|weigerte sich|verweigert|se negó|se negaron|rejeté|" +
			"rejette|abgelehnt|rechazó|rechaza|ha rifiutato|hanno rifiutato|respinto|recusou|recusaram|rejeitou"},

	// Parties contradict each other.
	{xtrDisputed, "verbs of accusing and blaming: one party charges another",
		"accused|accuses|accusing|accusation|accusations|blamed|blames|blaming|condemned|condemns|" +
			"alleged|alleges|alleging|under fire"},
	{xtrDisputed, "verbs of denying and contradicting: one party says another is wrong",
		"denied|denies|deny|denying|contested|contests|contesting|refuted|refutes|refute|refuting|rebutted|" +
			"contradicting|contradicted|contradicts|contrary to|disputed|disputes|dispute|disputing|disagree|" +
			"disagreed|disagrees|disagreement|objected|objects to|protested|claimed"},
	{xtrDisputed, "defending against criticism presupposes a contested act",
		"defended|defends|defending"},
	{xtrDisputed, "voicing alarm or concern at a party's act contests it",
		"raised alarm|raised concerns|raised concern|voiced concern|voiced concerns|expressed concern|expressed concerns"},
	{xtrDisputed, "breach verbs: an agreement broken",
		"violated|violates|violating|violation|violations|breach|breached|breaches|breaching|broken|broke|breaking|" +
			"backtracking|backtracked|reneged|reneging|reneges|went back on|flouted|flouting|not respected|" +
			"not honoured|not honored|undermined|undermining|sabotaged"},
	{xtrDisputed, "opposition idioms: the parties hold contrary positions",
		"at odds|far apart|in defiance of|despite the"},
	{xtrDisputed, "French, German, Spanish, Italian and Portuguese verbs of accusing, denying and violating",
		"accusé|accuse|a violé|violé|conteste|contesté|dément|démenti|beschuldigt|beschuldigte|vorgeworfen|verletzt|" +
			"verletzte|bestritten|bestreitet|wies zurück|acusó|acusa|acusaron|violó|violación|negó|denunció|" +
			"accusato|ha accusato|ha negato|smentito|acusou|negou|denunciou"},

	// Hopes, demands, offers, plans and conditions: open.
	{xtrWeak, "desiderative verbs: a party wants what it has not got",
		"hoped|hopes|hope|hoping|wants|want|wanted|would like to|sought|seeks|seeking"},
	{xtrWeak, "demands and appeals: a party asks another to act",
		"demand|demands|demanded|demanding|insisted|insists|insist|called for|calls for|calling for|call for|" +
			"called on|calls on|calling on|call on|urged|urges|urging|urge|asked for|asks for|asking for|pressed|" +
			"pressing for|pushed for|pushing for|appealed"},
	{xtrWeak, "deontic modals: what must or should be done is not done",
		"must|should|would have to|will have to|would need to|needs to|not negotiable|non-negotiable"},
	{xtrWeak, "conditions: the outcome depends on something else",
		"condition|conditions|precondition|preconditions|would only|will only|only if|unless"},
	{xtrWeak, "offers and proposals: one side's move awaiting the other's",
		"offered|offers to|offering to|offer to|proposed|proposes|proposal|hinted|floated|signalled|signaled"},
	{xtrWeak, "plans, forecasts and readiness: what is expected or intended has not happened",
		"expected to|likely to|unlikely to|plans to|planned to|ready to|willing to|prepared to"},
	{xtrWeak, "open questions and talks in progress",
		"whether|discussed|discuss|to be negotiated|under discussion"},
	{xtrWeak, "reluctance and avoidance: a party holds back",
		"avoided|unwilling|unwillingness|reluctant"},
	{xtrWeak, "French, German, Spanish, Italian and Portuguese verbs of hoping and demanding, and conditions",
		"espère|exige|hofft|fordert|forderte|bedingung|espera|condición|chiede|chiedono|spera|condizione|" +
			"pede|pedem|exigiu|condição"},
}

// xtrCueTable lists the cue phrases by class, from xtrCueRows.
var xtrCueTable = func() map[xtrClass][]string {
	m := map[xtrClass][]string{}
	for _, r := range xtrCueRows {
		m[r.class] = append(m[r.class], strings.Split(r.phrases, "|")...)
	}
	return m
}()

// xtrCueRules are the cues the words around them refine.
var xtrCueRules = func() map[string]xtrRule {
	m := map[string]xtrRule{}
	for rule, phrases := range map[xtrRule]string{
		xtrNeedsDeal: "reached|reach|reaches|reaching|struck|sealed|clinched|secured|hammered out|" +
			"brokered|welcomed|welcomes|welcoming|under the|in place|signed",
		xtrNeedsTruce: "held|holding|holds",
		xtrBySubject: "collapsed|collapse|collapses|collapsing|broke down|broken down|break down|" +
			"breaking down|fell apart|fallen apart|falls apart|fell through|unravelled|" +
			"unraveled|unravelling|unraveling|foundered|frayed|fraying|frays",
		xtrByObject: "rejected|rejects|rejecting|rejection|reject|dismissed|dismisses|dismissing|" +
			"rejeté|rejette|abgelehnt|rechazó|rechaza|ruled out|rules out|ruling out|rule out",
		xtrVerbOnly: "accused|alleged",
		xtrJoint: "pledged|promised to|will begin|would begin|will start|would start|will resume|would resume|" +
			"will take place|would take place|will be held|would be held|will sign|would sign|to sign|" +
			"will take effect|would take effect",
		xtrWithhold:    "denied|denies|deny|denying",
		xtrDefend:      "defended|defends|defending",
		xtrDesireNoun:  "hope|hopes",
		xtrOffence:     "breach|breached|breaches|breaching|violated|violates|violating|violation|violations",
		xtrBreakObject: "broken|broke|breaking",
		xtrDemand:      "wants|want|wanted|urged|urges|urging|urge|pressed",
		xtrNeedsTopic: "would not|will not|won't|wouldn't|will never|would never|" +
			"offered|offers to|offering to|offer to|expected to|likely to|unlikely to|plans to|" +
			"planned to|ready to|willing to|prepared to|blocked|blocks|blocking|vetoed|vetoes|adopted|adopts|" +
			"suspended|hinted|floated|signalled|signaled|appealed|would only|will only|only if|unless|condition|conditions|" +
			"haggling|haggle|wrangling|in force|into force|into effect|took effect|expired|lapsed|" +
			"withdrew from|pulled out|walked out|walked away|little progress|no progress|without progress|" +
			"not mention|not address|not addressed|subject to|refusal|opposed to|opposes|turned down|turns down|" +
			"rebuffed|called on|" +
			"calls on|calling on|call on|asked for|asks for|asking for|pushed for|pushing for|pressing for|" +
			"no details|vote on|votes on|voted on|voting on|will vote|would vote|still needs|still need|" +
			"still has to|still have to|still must|must still|still requires|still require|contradicting|" +
			"contradicted|contradicts|contrary to",
		xtrNotAfter:   "dispute|disputes",
		xtrTruceAfter: "despite the|in defiance of",
		xtrCompliance: "respected|respecting|respect|respects|observe|observed|observing|complied with|" +
			"complying with|comply with|abided by|abiding by|abide by|honoured|honored|honouring|honoring|" +
			"honour|honor|adhered to|adhering to|follow through|following through|followed through|" +
			"deliver on|delivered on|delivering on|fulfil|fulfill|fulfilled|fulfilling",
	} {
		for _, p := range strings.Split(phrases, "|") {
			m[p] = rule
		}
	}
	return m
}()

// xtrCues maps a cue's first word to the cues starting with it, longest
// first.
var xtrCues = func() map[string][]xtrCue {
	m := map[string][]xtrCue{}
	for class, phrases := range xtrCueTable {
		for _, p := range phrases {
			w := strings.Fields(p)
			m[w[0]] = append(m[w[0]], xtrCue{class: class, rule: xtrCueRules[p], words: w})
		}
	}
	for k := range m {
		slices.SortFunc(m[k], func(a, b xtrCue) int {
			if c := cmp.Compare(len(b.words), len(a.words)); c != 0 {
				return c
			}
			return cmp.Compare(a.class, b.class)
		})
	}
	return m
}()

// xtrCueWords are the words of the cues that say something by themselves,
// kept out of topic names. The nouns that only refine a cue ("no date",
// "close to a deal", "differences remain") can name a topic.
var xtrCueWords = func() map[string]bool {
	m := map[string]bool{}
	for _, cues := range xtrCues {
		for _, c := range cues {
			for _, w := range c.words {
				if !xtrCueNouns[w] {
					m[w] = true
				}
			}
		}
	}
	return m
}()

var xtrCueNouns = xtrSet("date timetable timeline details extension differences gaps reach vote " +
	"tentative under close closer near nearing within")

var (
	// xtrDealNouns name what parties agree on.
	xtrDealNouns = xtrSet("deal deals agreement agreements accord accords compromise consensus " +
		"understanding settlement pact truce truces ceasefire ceasefires cease-fire armistice treaty " +
		"contract framework pause moratorium arrangement bargain memorandum terms promise promises pledge " +
		"pledges vow vows commitment commitments")
	// xtrTruceNouns name agreements that can hold or be broken.
	xtrTruceNouns = xtrSet("deal agreement accord pact truce ceasefire cease-fire armistice treaty " +
		"pause moratorium arrangement")
	// xtrTalkNouns name talks, whose failure leaves the matter open.
	xtrTalkNouns = xtrSet("talks negotiations negotiation dialogue process mediation discussions " +
		"summit hopes hope efforts effort bid plan plans")
	// xtrTopicWords name what is negotiated: a sentence with one of them
	// (or a noun of xtrDealNouns) is about a negotiation.
	xtrTopicWords = xtrSet("talks negotiations negotiation proposal proposals demand demands concession " +
		"concessions negotiator negotiators negotiating negotiated mediator mediators mediation " +
		"delegation delegations delegates sanctions tariff tariffs coalition union unions strike " +
		"strikes walkout pension pensions wage wages prisoners hostages withdraw withdrawal troops " +
		"territory declaration pledge pledges summit")
	// xtrBreakObjects are what can be broken in a dispute, besides
	// agreement nouns: "broken it", "broke its promise".
	xtrBreakObjects = xtrSet("it them promise promises pledge pledges word commitment commitments terms " +
		"rules law vow")
	// xtrClaimNouns name claims: rejecting one disputes it.
	xtrClaimNouns = xtrSet("claim claims allegation allegations accusation accusations account " +
		"accounts charge charges assertion assertions report reports suggestion suggestions notion " +
		"characterisation characterization criticism criticisms version allégations vorwürfe " +
		"acusaciones involvement role responsibility link links connection wrongdoing")
	// xtrPenalties are the verbs of punishing that make a breach after
	// "for" an offence found, not an accusation.
	xtrPenalties = xtrSet("sentenced jailed imprisoned fined convicted punished suspended banned expelled " +
		"disqualified penalised penalized arrested detained charged prosecuted")
	// xtrHopeNounBefore make "hope(s)" a noun: a determiner or
	// possessive, or a verb or adjective that takes hopes as its object
	// ("raised hopes", "fading hopes").
	xtrHopeNounBefore = xtrSet("the a an their his her its our my your raised raising raise raises dashed dashing " +
		"fading faded growing high renewed new")
	// xtrNotBeforeWords cancel the cue one or two words before them:
	// "signs of", "signs that".
	xtrNotBeforeWords = xtrSet("of that are were point")
	// xtrNounBefore make the word after them a noun: "with respect to",
	// "in honour of".
	xtrNounBefore = xtrSet("in with of the a an mutual")
	// xtrNotMeantWords cancel a common word's cue one or two words before
	// them: "won't be able", "would not only".
	xtrNotMeantWords = xtrSet("able only")
	// xtrNotAfterWords cancel the cue they precede (one or two words after
	// them): "settle the dispute", "end the disputes".
	xtrNotAfterWords = xtrSet("settle settled settles settling resolve resolved resolves resolving " +
		"end ended ends ending defuse defused defusing")
	// xtrAux are the words a negation reaches across without counting them:
	// "no extension has been agreed".
	xtrAux = xtrSet("has have had been be being is are was were will would yet still so ever also " +
		"formally officially actually really previously largely mostly broadly")
	// xtrModals make a commitment depend on a condition in its clause:
	// "would accept … if".
	xtrModals = xtrSet("would will could might may can 'd")
)

// xtrScopeReach is how many words (auxiliaries not counted) a hope, demand,
// offer or expectation reaches forward over a commitment it governs:
// "called for Moscow to accept an unconditional truce".
const xtrScopeReach = 8

// An xtrOp makes the commitments after it in its clause unreal: hoped for,
// asked for, offered, expected, conditional.
type xtrOp struct {
	words []string
	reach int // 0: xtrScopeReach
}

// xtrOps maps an operator's first word to the operators starting with it.
var xtrOps = func() map[string][]xtrOp {
	m := map[string][]xtrOp{}
	add := func(reach int, phrases string) {
		for _, p := range strings.Split(phrases, "|") {
			w := strings.Fields(p)
			m[w[0]] = append(m[w[0]], xtrOp{words: w, reach: reach})
		}
	}
	add(0, "hope|hopes|hoped|hoping|hopeful|want|wants|wanted|wanting|expected|expects|expect|"+
		"expecting|likely|unlikely|could|might|may|should|must|need|needs|needed|urge|urged|urges|urging|"+
		"called for|called on|calls for|calls on|calling for|calling on|call for|call on|ask|asked|asks|"+
		"asking|pressed|pressing|presses|pushed|pushing|pushes|pressure|demand|demanded|demands|"+
		"demanding|insist|insisted|insists|insisting|proposed to|proposes to|propose to|proposing to|"+
		"proposal to|proposed that|offered to|offers to|offer to|offering to|seek|seeks|sought|seeking|"+
		"try|tries|tried|trying|attempt to|attempts to|attempted to|attempting to|effort to|efforts to|"+
		"aim to|aims to|aimed to|aiming to|plan to|plans to|planned to|planning to|intend to|intends to|"+
		"intended to|ready to|willing to|prepared to|reluctant to|unwilling to|close to|closer to|whether|if|unless|pending|"+
		"awaiting|await|appealed|appeal|invited|encouraged|encourage|lobbied|lobbying|would only|will only")
	add(4, "before|until")
	return m
}()

// xtrScopeStops end the clause a hope or demand governs: "called for a
// truce, and Moscow agreed".
var xtrScopeStops = xtrSet("but while whereas although though because after since when and or " +
	"which who whom")

// xtrClauseWords start a new clause: a negation before them does not reach
// past them ("counted for nothing and Trump would have to").
var xtrClauseWords = xtrSet("and but or while whereas although though that which who whom because")

var xtrNegators = xtrSet("not no never without neither nor cannot can't failed fail fails failing " +
	"declined refused refuses refusing unable nothing lack lacked lacking little hardly barely " +
	"pas ni jamais aucun sans nicht kein keine keinen nie ohne nunca sin")

type xtrHit struct {
	class      xtrClass
	start, end int // byte offsets in the sentence
	negated    bool
	unreal     bool // a commitment hoped for, asked for, offered or conditional
}
