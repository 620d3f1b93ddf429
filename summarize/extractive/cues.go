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
	// xtrCompliance: a commitment kept beside an agreement noun ("both
	// sides respected the truce"), broken when negated ("failed to honour
	// the deal").
	xtrCompliance
)

type xtrCue struct {
	class xtrClass
	rule  xtrRule
	words []string
}

// xtrCueTable lists the cue phrases by class.
var xtrCueTable = map[xtrClass][]string{
	xtrAgreed: {
		"agreed", "agree", "agrees", "agreeing", "signed", "signs", "will sign", "would sign", "to sign",
		"committed to", "commit to", "commits to", "pledged", "promised to", "will begin", "would begin",
		"will start", "would start", "will resume", "would resume", "will take place", "would take place",
		"will be held", "would be held", "will take effect", "would take effect", "takes effect",
		"reached", "reach", "reaches", "reaching", "struck", "sealed", "clinched", "secured", "hammered out",
		"brokered", "welcomed", "welcomes", "welcoming", "under the", "held", "holding", "holds",
		"tentative deal", "tentative agreement", "deal was reached", "agreement was reached",
		"reaffirmed", "reaffirm", "reaffirms", "got to that place", "consensus", "endorsed", "endorse",
		"endorses", "approved", "approve", "approves", "accepted", "accept", "accepts", "would support",
		"will support", "ratified", "ratify", "ratifies", "breakthrough", "in agreement", "on board",
		"will abide", "would abide", "will honour", "will honor", "broke the deadlock",
		"broken the deadlock", "break the deadlock", "broke the impasse", "break the impasse",
		"adopted", "adopts", "in place", "into force", "in force", "into effect", "took effect",
		"take effect", "ended with an agreement", "ended with a deal", "ended in agreement",
		"respected", "respecting", "respect", "respects", "observe", "observed", "observing", "complied with",
		"complying with", "comply with", "abided by", "abiding by", "abide by", "honoured", "honored",
		"honouring", "honoring", "honour", "honor", "adhered to", "adhering to",
		// French, German, Spanish.
		"se sont mis d'accord", "ont convenu", "a convenu", "sont convenus", "ont accepté",
		"a accepté", "ont signé", "a signé", "accord conclu", "sont tombés d'accord",
		"einigten sich", "geeinigt", "vereinbart", "vereinbarten", "zugestimmt", "stimmte zu",
		"stimmten zu", "unterzeichnet", "unterzeichneten", "acordaron", "acordó", "firmaron",
		"firmó", "aceptó", "aceptaron", "alcanzaron un acuerdo", "llegaron a un acuerdo",
	},
	xtrHedge: {
		"unclear", "not clear", "uncertain", "remains to be seen", "remain to be seen",
		"no mention", "made no mention", "not come up", "did not come up", "didn't come up",
		"not mentioned", "was not discussed", "were not discussed", "yet to", "not yet",
		"still open", "remains open", "remain open", "left open", "undecided", "unresolved",
		"stalled", "deadlock", "deadlocked", "impasse", "no agreement", "no deal",
		"no decision", "postponed", "put off", "on hold", "sticking point", "sticking points",
		"open question", "open questions", "not been told", "not told", "no date", "no timetable",
		"no timeline", "no details", "no extension", "not said", "did not say", "would not say",
		"will not say", "would not comment", "would not confirm", "within reach", "close to a deal",
		"close to an agreement", "close to agreement", "closer to a deal", "closer to an agreement",
		"near a deal", "nearing a deal", "nearing an agreement", "differences remain",
		"differences remained", "gaps remain", "gaps remained", "expired", "lapsed", "vote on",
		"votes on", "voted on", "voting on", "will vote", "would vote", "walked out", "walked away",
		"pulled out", "broke off", "broken off", "suspended", "withdrew from", "little progress",
		"no progress", "without progress", "without agreement", "without an agreement", "without a deal",
		"without a breakthrough", "haggling", "haggle", "wrangling", "not mention", "not address",
		"not addressed", "still needs", "still need", "still has to", "still have to", "still must",
		"must still", "still requires", "still require", "subject to",
		"collapsed", "collapse", "collapses", "collapsing", "broke down", "broken down", "break down",
		"breaking down", "fell apart", "fallen apart", "falls apart", "fell through", "in tatters",
		"unravelled", "unraveled", "unravelling", "unraveling", "foundered", "frayed", "fraying", "frays",
		"pas clair", "incertain", "pas encore", "reste à", "reporté", "aucun accord",
		"unklar", "noch nicht", "keine einigung", "bleibt offen", "vertagt",
		"no está claro", "todavía no", "aún no", "sin acuerdo", "pospuesto",
	},
	xtrRefusal: {
		"declined", "declines", "decline to", "refused", "refuses", "refuse to", "refusing", "refusal",
		"failed to", "fails to", "fail to", "failing to", "balked", "resisted", "ruled out", "rules out",
		"ruling out", "rule out", "blocked", "blocks", "blocking", "vetoed", "vetoes", "turned down",
		"turns down", "rebuffed", "voted against", "opposed to", "opposes", "would not", "will not",
		"won't", "wouldn't", "will never", "would never", "infuriating", "infuriated", "angered",
		"angering", "outraged", "rejected", "rejects", "rejecting", "rejection", "reject", "dismissed",
		"dismisses", "dismissing",
		"a refusé", "ont refusé", "refuse de", "lehnte ab", "lehnten ab", "weigerte sich",
		"verweigert", "se negó", "se negaron", "rejeté", "rejette", "abgelehnt", "rechazó", "rechaza",
	},
	xtrDisputed: {
		"accused", "accuses", "accusing", "accusation", "accusations", "violated", "violates",
		"violating", "violation", "violations", "breach", "breached", "breaches", "breaching",
		"broken", "broke", "breaking", "denied", "denies", "deny", "denying", "contested", "contests",
		"contesting", "refuted", "refutes", "refute", "refuting", "rebutted", "backtracking",
		"backtracked", "reneged", "reneging", "reneges", "went back on", "flouted", "flouting",
		"no reciprocity", "disputed", "disputes", "dispute", "disputing", "claimed", "blamed", "blames",
		"blaming", "not abated", "not respected", "not honoured", "not honored", "condemned", "condemns",
		"objected", "objects to", "disagree", "disagreed", "disagrees", "disagreement",
		"at odds", "far apart", "undermined", "undermining", "sabotaged", "protested", "contradicting",
		"contradicted", "contradicts", "contrary to", "despite the", "in defiance of",
		"accusé", "accuse", "a violé", "violé", "conteste", "contesté", "dément", "démenti",
		"beschuldigt", "beschuldigte", "vorgeworfen", "verletzt",
		"verletzte", "bestritten", "bestreitet", "wies zurück", "acusó", "acusa",
		"acusaron", "violó", "violación", "negó", "denunció",
	},
	xtrWeak: {
		"hoped", "hopes", "hope", "hoping", "would have to", "will have to", "condition",
		"conditions", "precondition", "preconditions", "must", "demand", "demands", "demanded",
		"demanding", "insisted", "insists", "insist", "called for", "calls for", "calling for",
		"call for", "called on", "calls on", "calling on", "call on", "urged", "urges", "urging", "urge",
		"wants", "want", "wanted", "asked for", "asks for", "asking for", "pressed", "pressing for",
		"pushed for", "pushing for", "offered", "offers to", "offering to", "offer to", "hinted",
		"floated", "would only", "will only", "only if", "unless", "expected to", "likely to",
		"unlikely to", "plans to", "planned to", "ready to", "willing to", "prepared to", "appealed",
		"signalled", "signaled", "whether", "would like to", "not negotiable", "non-negotiable",
		"avoided", "unwilling", "unwillingness", "reluctant", "proposed", "proposes", "proposal",
		"sought", "seeks", "seeking", "discussed", "discuss", "to be negotiated", "under discussion",
		"would need to", "needs to",
		"espère", "exige", "hofft", "fordert", "forderte", "bedingung", "espera", "exige",
		"condición",
	},
}

// xtrCueRules are the cues the words around them refine.
var xtrCueRules = func() map[string]xtrRule {
	m := map[string]xtrRule{}
	for rule, phrases := range map[xtrRule]string{
		xtrNeedsDeal: "reached|reach|reaches|reaching|struck|sealed|clinched|secured|hammered out|" +
			"brokered|welcomed|welcomes|welcoming|under the|in place",
		xtrNeedsTruce: "held|holding|holds",
		xtrBySubject: "collapsed|collapse|collapses|collapsing|broke down|broken down|break down|" +
			"breaking down|fell apart|fallen apart|falls apart|fell through|in tatters|unravelled|" +
			"unraveled|unravelling|unraveling|foundered|frayed|fraying|frays",
		xtrByObject: "rejected|rejects|rejecting|rejection|reject|dismissed|dismisses|dismissing|" +
			"rejeté|rejette|abgelehnt|rechazó|rechaza",
		xtrNotBefore:   "signs",
		xtrBreakObject: "broken|broke|breaking",
		xtrDemand:      "wants|want|wanted|urged|urges|urging|urge|pressed",
		xtrNeedsTopic: "would not|will not|won't|wouldn't|will never|would never|would take place|" +
			"offered|offers to|offering to|offer to|whether|expected to|likely to|unlikely to|plans to|" +
			"planned to|ready to|willing to|prepared to|blocked|blocks|blocking|vetoed|vetoes|adopted|adopts|" +
			"suspended|hinted|floated|signalled|signaled|appealed|would only|will only|only if|unless|" +
			"haggling|haggle|wrangling|in force|into force|into effect|took effect|take effect|expired|lapsed|" +
			"withdrew from|pulled out|walked out|walked away|little progress|no progress|without progress|" +
			"not mention|not address|not addressed|subject to|refusal|opposed to|opposes|turned down|turns down|" +
			"rebuffed|angered|angering|outraged|infuriating|infuriated|called on|" +
			"calls on|calling on|call on|asked for|asks for|asking for|pushed for|pushing for|pressing for|" +
			"no details|vote on|votes on|voted on|voting on|will vote|would vote|still needs|still need|" +
			"still has to|still have to|still must|must still|still requires|still require|contradicting|" +
			"contradicted|contradicts|contrary to",
		xtrNotAfter:   "dispute|disputes",
		xtrTruceAfter: "despite the|in defiance of",
		xtrCompliance: "respected|respecting|respect|respects|observe|observed|observing|complied with|" +
			"complying with|comply with|abided by|abiding by|abide by|honoured|honored|honouring|honoring|" +
			"honour|honor|adhered to|adhering to",
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
		"contract framework pause moratorium arrangement bargain memorandum terms")
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
		"acusaciones")
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
		"intended to|ready to|willing to|prepared to|close to|closer to|whether|if|unless|pending|"+
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
